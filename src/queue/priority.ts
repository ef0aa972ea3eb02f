/**
 * Run priorities (`submit --priority N`) as BullMQ job priorities.
 *
 * BullMQ takes jobs *without* a priority before every prioritized job. Left as
 * is, `--priority 1` on an urgent run could never overtake a big run submitted
 * without one — the case the option exists for. So every chunk job gets a
 * priority: the run's N (1 most urgent … PRIORITY_MAX), or BULL_PRIORITY_NONE,
 * the lowest BullMQ accepts, for a run without one. Equal priorities stay FIFO.
 */
import { InputError } from '../errors.js';

/** The largest --priority a user may give (one less than BullMQ's limit, which runs without a priority use). */
export const PRIORITY_MAX = 2 ** 21 - 2;
/** BullMQ's lowest priority (it refuses more than 2^21 - 1): the chunks of runs submitted without --priority. */
export const BULL_PRIORITY_NONE = 2 ** 21 - 1;

/** A run's --priority: 0 means none (undefined); anything but a whole number 0…PRIORITY_MAX is an InputError. */
export function checkPriority(value: number | undefined): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > PRIORITY_MAX) {
    throw new InputError(`--priority must be a whole number from 1 (most urgent) to ${PRIORITY_MAX}, or 0 for none; got ${value}`);
  }
  return value;
}

/** The BullMQ priority of a run's chunk jobs. */
export function bullPriority(priority: number | undefined): number {
  return priority ?? BULL_PRIORITY_NONE;
}
