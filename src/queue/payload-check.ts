/**
 * Strict chunk payloads: a chunk job may only write the rows its place in the
 * run says it holds. Rows are stored by index (one hash field per input row),
 * so a job with indexes outside the run, or another chunk's indexes, would
 * silently add fields or overwrite rows of other chunks — found by fault
 * injection (4,441 fields for a 4,439-row run). Every mismatch is an
 * InputError: retrying the same payload gives the same answer.
 */
import type { RunSpec } from '../contracts.js';
import type { ChunkJobData } from './schemas.js';
import type { RedisNames } from './keys.js';
import { InputError } from '../errors.js';

/** Row indexes [from, to) of chunk `chunk` of a run, or of one of its bisected parts (`a`, `a-b`, …). */
export function chunkRange(spec: Pick<RunSpec, 'chunkSize' | 'input'>, chunk: number, part?: string): { from: number; to: number } {
  let from = chunk * spec.chunkSize;
  let to = Math.min(from + spec.chunkSize, spec.input.rows);
  for (const half of part ? part.split('-') : []) {
    // The first half takes the extra row of an odd count; bisect.ts splits the same way.
    const mid = from + Math.ceil((to - from) / 2);
    if (half === 'a') to = mid;
    else from = mid;
  }
  return { from, to };
}

/** Throws an InputError naming the first way `data` is not the chunk its job id and the run spec say. */
export function checkChunkPayload(spec: RunSpec, names: RedisNames, jobId: string | undefined, data: ChunkJobData): void {
  const what = `chunk job ${jobId ?? '(no id)'}`;
  if (data.runId !== spec.runId) throw new InputError(`${what} names run '${data.runId}', not '${spec.runId}'`);
  if (data.chunk >= spec.chunks) {
    throw new InputError(`${what} is chunk ${data.chunk} but run '${spec.runId}' has ${spec.chunks} chunk(s)`);
  }
  const expectedId = names.chunkJobId(spec.runId, data.chunk, data.part);
  if (jobId !== expectedId)
    throw new InputError(`${what} holds chunk ${data.chunk}${data.part ? ` part ${data.part}` : ''}, whose job id is ${expectedId}`);
  const outside = data.rows.find((r) => r.index >= spec.input.rows);
  if (outside) {
    throw new InputError(
      `${what} has row index ${outside.index}, outside run '${spec.runId}' (${spec.input.rows} rows: 0…${spec.input.rows - 1})`,
    );
  }
  const { from, to } = chunkRange(spec, data.chunk, data.part);
  const mismatch = data.rows.length !== to - from || data.rows.findIndex((r, i) => r.index !== from + i) !== -1;
  if (mismatch) {
    const got =
      data.rows.length <= 4
        ? data.rows.map((r) => r.index).join(', ')
        : `${data.rows[0]!.index} … ${data.rows.at(-1)!.index} (${data.rows.length} rows)`;
    throw new InputError(
      `${what} does not match the run spec: chunk ${data.chunk}${data.part ? ` part ${data.part}` : ''} must hold rows ${from}…${to - 1} in order ` +
        `(chunk size ${spec.chunkSize}), it holds ${got}`,
    );
  }
}
