/**
 * Jepsen-style accounting of one run's export against a fault-free baseline: every
 * input row index is ok (exactly once, same id, same answer), lost (absent),
 * duplicated (more than once) or carries an error row; any row the input does not
 * have, or a result with another id or answer, is unexpected. Pure, so it is unit-tested.
 */

/** The fields of an exported row the accounting reads (score rows). */
export interface ExportedRow {
  index: number;
  id: string;
  label?: string;
  probs?: Record<string, number>;
  error?: string;
}

export interface Accounting {
  rows: number;
  ok: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  errorRows: number;
  /** A few examples of error reasons and unexpected rows, for the report. */
  samples: string[];
}

/**
 * Labels of a randomly initialised model sit close together, so a label that differs
 * while every probability agrees within this tolerance is the same answer (batches
 * of another shape round differently), not a wrong one.
 */
const PROB_TOLERANCE = 1e-3;

function sameAnswer(row: ExportedRow, base: ExportedRow): boolean {
  if (row.label === base.label) return true;
  if (!row.probs || !base.probs) return false;
  return Object.keys(base.probs).every((k) => Math.abs((row.probs?.[k] ?? Infinity) - base.probs![k]!) < PROB_TOLERANCE);
}

export function account(baseline: readonly ExportedRow[], exported: Iterable<ExportedRow>): Accounting {
  const n = baseline.length;
  const seen = new Uint32Array(n);
  const errored = new Uint8Array(n);
  const wrong = new Uint8Array(n);
  let unexpected = 0;
  const samples: string[] = [];
  const sample = (s: string) => samples.length < 5 && samples.push(s);
  for (const row of exported) {
    const base = Number.isInteger(row.index) && row.index >= 0 && row.index < n ? baseline[row.index] : undefined;
    // An error row for a row whose result never came may not know the row's id: it still
    // stands for that input row (an error row, not an unexpected one).
    if (!base || (base.id !== row.id && row.error === undefined)) {
      unexpected++;
      sample(`unexpected row index=${row.index} id=${row.id}`);
      continue;
    }
    seen[row.index]!++;
    if (row.error !== undefined) {
      errored[row.index] = 1;
      sample(`error row ${row.index}: ${row.error.slice(0, 160)}`);
    } else if (!sameAnswer(row, base)) {
      wrong[row.index] = 1;
      sample(`row ${row.index}: label ${row.label}, baseline ${base.label}`);
    }
  }
  let ok = 0;
  let lost = 0;
  let duplicated = 0;
  let errorRows = 0;
  for (let i = 0; i < n; i++) {
    if (seen[i] === 0) lost++;
    else if (seen[i]! > 1) duplicated++;
    if (errored[i]) errorRows++;
    if (wrong[i]) unexpected++;
    if (seen[i] === 1 && !errored[i] && !wrong[i]) ok++;
  }
  return { rows: n, ok, lost, duplicated, unexpected, errorRows, samples };
}
