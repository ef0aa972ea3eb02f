/**
 * Column detection. Names are compared case-insensitively with spaces, `_`
 * and `-` ignored, so `sentence_A`, `Sentence A` and `sentencea` are one name.
 * Each role has an ordered list of accepted names (earlier wins); explicit
 * `--premise-col`/`--hypothesis-col`/`--label-col`/`--id-col` override it and
 * must name an existing column.
 */
import type { ColumnOptions, ResolvedColumns } from './types.js';
import { DatasetError } from './errors.js';

export type ColumnRole = 'premise' | 'hypothesis' | 'label' | 'id';

/** Accepted names per role, as users write them (SNLI/MNLI, SICK, GLUE/HF, BERT run_classifier). */
export const COLUMN_NAMES: Readonly<Record<ColumnRole, readonly string[]>> = {
  premise: ['premise', 'sentence1', 'sentence_A', 'text_a', 'text1'],
  hypothesis: ['hypothesis', 'sentence2', 'sentence_B', 'text_b', 'text2'],
  label: ['label', 'gold_label', 'entailment_label', 'entailment_judgment', 'entailment_AB', 'gold'],
  id: ['id', 'pair_ID', 'pairID', 'guid', 'idx'],
};

const FLAGS: Readonly<Record<ColumnRole, { opt: keyof ColumnOptions; flag: string }>> = {
  premise: { opt: 'premiseCol', flag: '--premise-col' },
  hypothesis: { opt: 'hypothesisCol', flag: '--hypothesis-col' },
  label: { opt: 'labelCol', flag: '--label-col' },
  id: { opt: 'idCol', flag: '--id-col' },
};

/** Canonical form used for comparing column names. */
export function normalizeColumnName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

/** Where the column names came from, for error messages. */
export interface ColumnsSource {
  file: string;
  line?: number;
}

/**
 * Picks the premise, hypothesis and (optional) label and id columns among
 * `columns`. Throws a DatasetError listing the file's columns when the premise
 * or hypothesis cannot be found or an explicit column does not exist.
 */
export function detectColumns(
  columns: readonly string[],
  opts: ColumnOptions = {},
  where: ColumnsSource = { file: '<input>' },
): ResolvedColumns {
  const normalized = columns.map(normalizeColumnName);
  const pick = (role: ColumnRole): string | undefined => {
    const explicit = opts[FLAGS[role].opt];
    if (explicit !== undefined && explicit !== '') return findExplicit(role, explicit, columns, normalized, where);
    for (const name of COLUMN_NAMES[role]) {
      const i = normalized.indexOf(normalizeColumnName(name));
      if (i !== -1) return columns[i];
    }
    return undefined;
  };
  const premise = pick('premise');
  const hypothesis = pick('hypothesis');
  if (premise === undefined || hypothesis === undefined) {
    const missing = [premise === undefined ? 'premise' : '', hypothesis === undefined ? 'hypothesis' : ''].filter(Boolean).join(' and ');
    throw new DatasetError(
      where.file,
      `cannot find the ${missing} column${missing.includes(' and ') ? 's' : ''}. ` +
        `Columns found: ${listColumns(columns)}. ` +
        `Accepted names (case-insensitive): premise ${COLUMN_NAMES.premise.join('/')}; ` +
        `hypothesis ${COLUMN_NAMES.hypothesis.join('/')}. ` +
        `Name them with --premise-col and --hypothesis-col.`,
      lineOpt(where),
    );
  }
  if (premise === hypothesis) {
    throw new DatasetError(where.file, `premise and hypothesis are both column "${premise}"; they must differ`, lineOpt(where));
  }
  const resolved: ResolvedColumns = { premise, hypothesis };
  const label = pick('label');
  if (label !== undefined && label !== premise && label !== hypothesis) resolved.label = label;
  const id = pick('id');
  if (id !== undefined && id !== premise && id !== hypothesis) resolved.id = id;
  return resolved;
}

function findExplicit(
  role: ColumnRole,
  wanted: string,
  columns: readonly string[],
  normalized: readonly string[],
  where: ColumnsSource,
): string {
  const exact = columns.indexOf(wanted);
  if (exact !== -1) return wanted;
  const loose = normalized.indexOf(normalizeColumnName(wanted));
  if (loose !== -1) return columns[loose]!;
  throw new DatasetError(
    where.file,
    `${FLAGS[role].flag} "${wanted}": no such column. Columns found: ${listColumns(columns)}`,
    lineOpt(where),
  );
}

function listColumns(columns: readonly string[]): string {
  if (columns.length === 0) return '(none)';
  const shown = columns.slice(0, 40).map((c) => JSON.stringify(c));
  if (columns.length > 40) shown.push(`… ${columns.length - 40} more`);
  return shown.join(', ');
}

function lineOpt(where: ColumnsSource): { line?: number } {
  return where.line === undefined ? {} : { line: where.line };
}
