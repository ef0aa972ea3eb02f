/**
 * Feature files: what `extract` writes and `train` reads.
 *
 * Rows are JSONL (`{index, id, gold?, embedding?, features?, logits?, error?}`) or
 * Parquet (columns index, id, gold, error, embedding (LIST<FLOAT>), one FLOAT
 * column per feature, logits (LIST<FLOAT>)). Beside the rows, `extract` writes
 * a small sidecar `<out>.meta.json` (and, in Parquet, the same JSON in the
 * footer under the key `pairscore`) saying which model produced the vectors
 * (sha256 — the head must record it), which embedding, which features and the
 * model's labels (to read its logits). `train` reads the sidecar, else the
 * Parquet footer, else takes what it lacks from `--model DIR`.
 *
 * `loadFeatureFile` reads every usable row into flat Float32Arrays (training
 * needs all rows anyway): row-major n × dim per input group.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import path from 'node:path';
import { z } from 'zod';
import { embeddingKindSchema } from '../contracts.js';
import { InputError } from '../errors.js';
import { openParquetFile, parquetRowGroups } from '../ingest/parquet.js';

export const FEATURES_META_FORMAT = 'pairscore-features';
export const PARQUET_META_KEY = 'pairscore';

export const featuresMetaSchema = z.object({
  format: z.literal(FEATURES_META_FORMAT),
  version: z.literal(1),
  model: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().optional() }),
  embedding: embeddingKindSchema.nullable(),
  embedding_dim: z.number().int().min(0),
  features: z.array(z.string()),
  logits: z.boolean(),
  logits_dim: z.number().int().min(0),
  /** The model's own label names, in logit order (config.json id2label). */
  model_labels: z.array(z.string()),
  /** The input file rows came from (informational). */
  source: z.string().optional(),
});
export type FeaturesMeta = z.infer<typeof featuresMetaSchema>;

export function metaPathFor(file: string): string {
  return `${file}.meta.json`;
}

export interface FeatureData {
  file: string;
  meta: FeaturesMeta | null;
  /** Rows with a gold label and no error. */
  n: number;
  gold: string[];
  ids: string[];
  embeddingDim: number;
  /** n × embeddingDim, or null when the rows carry no embedding. */
  embedding: Float32Array | null;
  featureNames: string[];
  /** n × featureNames.length. */
  features: Float32Array;
  logitsDim: number;
  logits: Float32Array | null;
  /** Rows skipped: an error, or no gold label. */
  skippedErrors: number;
  skippedUnlabelled: number;
}

async function readMeta(file: string, parquetKv?: Record<string, string>): Promise<FeaturesMeta | null> {
  let text: string | undefined;
  try {
    text = await fs.promises.readFile(metaPathFor(file), 'utf8');
  } catch {
    text = parquetKv?.[PARQUET_META_KEY];
  }
  if (text === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`${metaPathFor(file)} is not valid JSON`, { cause });
  }
  const parsed = featuresMetaSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${metaPathFor(file)} is not a pairscore features sidecar: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

interface RowLike {
  id?: unknown;
  gold?: unknown;
  error?: unknown;
  embedding?: unknown;
  features?: unknown;
  logits?: unknown;
}

/** Accumulates rows into growable Float32Arrays. */
class Columns {
  n = 0;
  gold: string[] = [];
  ids: string[] = [];
  emb: Float32Array;
  feat: Float32Array;
  log: Float32Array;
  skippedErrors = 0;
  skippedUnlabelled = 0;
  constructor(
    private readonly file: string,
    readonly embDim: number,
    readonly featureNames: string[],
    readonly logitsDim: number,
  ) {
    this.emb = new Float32Array(embDim * 1024);
    this.feat = new Float32Array(featureNames.length * 1024);
    this.log = new Float32Array(logitsDim * 1024);
  }

  private grow(): void {
    const cap = Math.max(1024, this.n * 2);
    const g = (a: Float32Array, d: number) => {
      if (a.length >= (this.n + 1) * d) return a;
      const b = new Float32Array(cap * d);
      b.set(a);
      return b;
    };
    this.emb = g(this.emb, this.embDim);
    this.feat = g(this.feat, this.featureNames.length);
    this.log = g(this.log, this.logitsDim);
  }

  add(row: RowLike, where: string, featureOf: (name: string) => unknown): void {
    if (row.error !== undefined && row.error !== null) {
      this.skippedErrors++;
      return;
    }
    if (typeof row.gold !== 'string' || row.gold.trim() === '') {
      this.skippedUnlabelled++;
      return;
    }
    this.grow();
    const i = this.n;
    const vec = (v: unknown, dim: number, name: string, out: Float32Array): void => {
      if (dim === 0) return;
      const a = v as ArrayLike<number> | null | undefined;
      if (!a || typeof a !== 'object' || a.length !== dim) {
        throw new InputError(`${this.file}, ${where}: "${name}" must be a list of ${dim} numbers`);
      }
      for (let k = 0; k < dim; k++) {
        const x = Number(a[k]);
        if (!Number.isFinite(x)) throw new InputError(`${this.file}, ${where}: "${name}" has a non-finite value`);
        out[i * dim + k] = x;
      }
    };
    vec(row.embedding, this.embDim, 'embedding', this.emb);
    vec(row.logits, this.logitsDim, 'logits', this.log);
    const F = this.featureNames.length;
    for (let k = 0; k < F; k++) {
      const x = Number(featureOf(this.featureNames[k]!));
      if (!Number.isFinite(x)) throw new InputError(`${this.file}, ${where}: feature "${this.featureNames[k]}" is missing or not a number`);
      this.feat[i * F + k] = x;
    }
    this.gold.push(row.gold.trim());
    this.ids.push(row.id === undefined || row.id === null ? String(i) : String(row.id));
    this.n++;
  }
}

/** Reads a feature file written by `extract` (.jsonl or .parquet). */
export async function loadFeatureFile(file: string): Promise<FeatureData> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: file not found`);
  const ext = path.extname(file).toLowerCase();
  let cols: Columns | undefined;
  let pendingErrors = 0;
  let meta: FeaturesMeta | null;
  if (ext === '.parquet' || ext === '.pq') {
    const pf = await openParquetFile(file);
    meta = await readMeta(file, pf.keyValues);
    const has = new Set(pf.columns);
    const fixed = new Set(['index', 'id', 'gold', 'error', 'embedding', 'logits']);
    const featureNames = meta ? meta.features : pf.columns.filter((c) => !fixed.has(c));
    for (const f of featureNames) if (!has.has(f)) throw new InputError(`${file}: feature column "${f}" is missing`);
    const wanted = [
      'id',
      'gold',
      'error',
      ...(has.has('embedding') ? ['embedding'] : []),
      ...featureNames,
      ...(has.has('logits') ? ['logits'] : []),
    ].filter((c) => has.has(c));
    let rowNo = 0;
    for await (const rows of parquetRowGroups(pf, wanted)) {
      for (const r of rows) {
        rowNo++;
        cols ??= new Columns(file, dimOf(r.embedding, meta?.embedding_dim), featureNames, dimOf(r.logits, meta?.logits_dim));
        cols.add(r, `row ${rowNo}`, (n) => r[n]);
      }
    }
  } else {
    meta = await readMeta(file);
    const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      let r: RowLike;
      try {
        r = JSON.parse(text) as RowLike;
      } catch (cause) {
        throw new InputError(`${file}, line ${line}: not valid JSON — is this a file written by \`pairscore extract\`?`, { cause });
      }
      if (r.error !== undefined && r.error !== null) {
        if (cols) cols.add(r, `line ${line}`, () => 0);
        else pendingErrors++;
        continue;
      }
      if (!cols) {
        const featureNames = meta ? meta.features : Object.keys((r.features ?? {}) as object);
        cols = new Columns(file, dimOf(r.embedding, meta?.embedding_dim), featureNames, dimOf(r.logits, meta?.logits_dim));
        cols.skippedErrors += pendingErrors;
      }
      const feats = (r.features ?? {}) as Record<string, unknown>;
      cols.add(r, `line ${line}`, (n) => feats[n]);
    }
  }
  if (!cols) throw new InputError(`${file}: no usable rows (every row has an error)`);
  const c = cols;
  if (c.n === 0) {
    throw new InputError(
      `${file}: no row has a gold label (${c.skippedErrors} rows with errors, ${c.skippedUnlabelled} without a label); training needs labelled rows`,
    );
  }
  if (meta) {
    if (meta.embedding_dim !== c.embDim && c.embDim !== 0)
      throw new InputError(`${file}: rows have ${c.embDim}-value embeddings, the sidecar says ${meta.embedding_dim}`);
  }
  return {
    file,
    meta,
    n: c.n,
    gold: c.gold,
    ids: c.ids,
    embeddingDim: c.embDim,
    embedding: c.embDim > 0 ? c.emb.subarray(0, c.n * c.embDim) : null,
    featureNames: c.featureNames,
    features: c.feat.subarray(0, c.n * c.featureNames.length),
    logitsDim: c.logitsDim,
    logits: c.logitsDim > 0 ? c.log.subarray(0, c.n * c.logitsDim) : null,
    skippedErrors: c.skippedErrors,
    skippedUnlabelled: c.skippedUnlabelled,
  };
}
function dimOf(v: unknown, fromMeta: number | undefined): number {
  if (fromMeta !== undefined) return fromMeta;
  return v && typeof v === 'object' && 'length' in v ? (v as ArrayLike<number>).length : 0;
}
