/**
 * Turns a RawRecord into the row the pipeline sees. Rules:
 * - premise and hypothesis must be strings with at least one non-whitespace
 *   character (kept as written, not trimmed); anything else makes a BadRow.
 * - gold: trimmed label; empty and `-` (SNLI's "no consensus") mean no gold.
 *   JSONL numbers are accepted as labels (`String(n)`), except -1, which
 *   Hugging Face `datasets` exports use for "no gold label".
 * - id: the id column's value (trimmed; numbers stringified) or, when there is
 *   no id column or the value is empty, `String(index)`.
 * Every BadRow error ends with `(line N)`.
 */
import type { BadRow, IngestRow, PairRow } from '../contracts.js';
import type { RawRecord, ResolvedColumns } from './types.js';
import { describeValue } from './errors.js';

const NON_SPACE = /\S/;

export function toIngestRow(rec: RawRecord, index: number, cols: ResolvedColumns): IngestRow {
  const id = rowId(rec.id, index);
  if (rec.problem !== undefined) return bad(index, id, [rec.problem], rec.line, undefined);

  const problems: string[] = [];
  const premise = checkText('premise', cols.premise, rec.premise, problems);
  const hypothesis = checkText('hypothesis', cols.hypothesis, rec.hypothesis, problems);
  let gold: string | undefined;
  const label = rec.label;
  if (label !== undefined && label !== null) {
    if (typeof label === 'string') {
      const t = label.trim();
      if (t !== '' && t !== '-') gold = t;
    } else if (typeof label === 'number') {
      if (label !== -1) gold = String(label);
    } else if (typeof label === 'boolean') {
      gold = String(label);
    } else {
      problems.push(`label "${cols.label ?? ''}" is ${describeValue(label)}, expected a string or number`);
    }
  }
  if (premise === undefined || hypothesis === undefined || problems.length > 0) {
    return bad(index, id, problems, rec.line, gold);
  }
  const row: PairRow = { index, id, premise, hypothesis };
  if (gold !== undefined) row.gold = gold;
  return row;
}

function checkText(role: string, column: string, value: unknown, problems: string[]): string | undefined {
  if (typeof value === 'string') {
    if (NON_SPACE.test(value)) return value;
    problems.push(`empty ${role} in column "${column}"`);
    return undefined;
  }
  if (value === undefined) problems.push(`missing ${role}: no "${column}" field`);
  else problems.push(`${role} "${column}" is ${describeValue(value)}, expected a string`);
  return undefined;
}

function rowId(value: unknown, index: number): string {
  if (typeof value === 'string') {
    const t = value.trim();
    if (t !== '') return t;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return String(index);
}

function bad(index: number, id: string, problems: string[], line: number, gold: string | undefined): BadRow {
  const row: BadRow = { index, id, error: `${problems.join('; ')} (line ${line})` };
  if (gold !== undefined) row.gold = gold;
  return row;
}
