/**
 * How much Redis memory a run will take, and whether it fits the free `maxmemory`.
 *
 * Right after `submit` every chunk job holds its rows (the input text as JSON, plus
 * BullMQ's job hash); as chunks complete their jobs go and result rows come, which
 * stay until `--keep` expires them. The peak is below the sum of the two, so the sum is
 * the estimate (on the safe side). Result rows per task, as stored (row-codec.ts):
 * score ≈ JSON of id, label, probabilities and gold; extract ≈ base64 float32 vectors,
 * 4/3 × 4 bytes per value of the embedding, the features and the logits.
 * A Redis over maxmemory refuses writes (noeviction), so a run that cannot fit is
 * refused before any job is added, unless the caller forces it.
 */
import type { RunSpec } from '../contracts.js';

/** Per-entry overhead of a hash field / job in Redis (pointers, listpack or dict entry). */
const FIELD_OVERHEAD = 64;
/** BullMQ's job hash beyond its data: opts, timestamps, the wait-list entry, the parent link. */
const JOB_OVERHEAD = 1500;
/** Stored JSON of a row's premise/hypothesis against its bytes in the file (quotes, keys, escapes). */
const JOB_TEXT_FACTOR = 1.3;
/** Parquet input is compressed: its text is about this many times the file. */
const PARQUET_FACTOR = 3;

export interface FootprintEstimate {
  bytes: number;
  /** Bytes of one stored result row. */
  resultRowBytes: number;
  /** Bytes of the queued chunk jobs. */
  jobBytes: number;
}

const base64Bytes = (values: number) => Math.ceil((values * 4) / 3) * 4;

export function resultRowBytes(spec: RunSpec): number {
  const base = 40 + 24; // index, id (typical), punctuation
  if (spec.plan.task === 'extract') {
    const x = spec.plan.extract;
    return base + base64Bytes(x?.embeddingDim ?? 0) + base64Bytes(spec.plan.features.length) + base64Bytes(x?.logitsDim ?? 0) + 30;
  }
  return base + spec.plan.labels.reduce((s, l) => s + l.length + 26, 0) + 30;
}

export function estimateFootprint(spec: RunSpec, inputFileBytes: number): FootprintEstimate {
  const text = inputFileBytes * (spec.input.format === 'parquet' ? PARQUET_FACTOR : 1) * JOB_TEXT_FACTOR;
  const jobBytes = Math.round(text + spec.chunks * JOB_OVERHEAD);
  const rowBytes = resultRowBytes(spec);
  return { bytes: jobBytes + spec.input.rows * (rowBytes + FIELD_OVERHEAD), resultRowBytes: rowBytes, jobBytes };
}

/** `field:value` lines of INFO → number, or undefined. */
function infoNumber(info: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : undefined;
}

export interface FitVerdict {
  fits: boolean;
  /** Set when it does not fit: what to do, with the numbers. */
  message?: string;
}

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

/**
 * Compares the estimate with `maxmemory − used_memory` from INFO memory. No maxmemory
 * (0: Redis may use all RAM) or no INFO fields: nothing to compare, it fits.
 */
export function fitsMaxmemory(estimate: FootprintEstimate, spec: RunSpec, info: string, where: string): FitVerdict {
  const max = infoNumber(info, 'maxmemory');
  const used = infoNumber(info, 'used_memory');
  if (!max || used === undefined) return { fits: true };
  const free = Math.max(0, max - used);
  if (estimate.bytes <= free) return { fits: true };
  return {
    fits: false,
    message:
      `run ${spec.runId} needs about ${mb(estimate.bytes)} of Redis memory (${spec.input.rows} rows × ~${estimate.resultRowBytes + FIELD_OVERHEAD} B of ${spec.plan.task} results ` +
      `+ ${mb(estimate.jobBytes)} of queued chunk jobs) but ${where} has ${mb(free)} free (used ${mb(used)} of maxmemory ${mb(max)}); ` +
      'a full Redis refuses writes and stalls every run. Raise maxmemory, let finished runs expire (a shorter --keep), split the input, or pass --force to submit anyway',
  };
}
