/**
 * The validations the settings table (src/settings.ts) is written with: each reads a flag's or a
 * variable's text and a library caller's typed value alike, and describes what it accepts (for
 * error messages and the README).
 */
import { z } from 'zod';

export const int = (min: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .describe(max >= 1 << 20 && min === 1 ? 'a positive whole number' : `a whole number in ${min}–${max}`);

/** `7d`, `12h`, `30m`, `45s` or plain seconds → seconds; NaN when it is none of those. */
export function durationSeconds(v: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
  if (!m) return Number.NaN;
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

const shortDuration = (s: number): string =>
  s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
export const duration = (min: number, max: number) =>
  z
    .preprocess((v) => (typeof v === 'string' ? durationSeconds(v) : v), z.number().int().min(min).max(max))
    .describe(`a duration like 7d, 12h, 30m or seconds, ${shortDuration(min)} to ${shortDuration(max)}`);

const FLAGS: Record<string, boolean> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };
export const bool = () =>
  z
    .preprocess((v) => (typeof v === 'string' ? FLAGS[v.trim().toLowerCase()] : v), z.boolean())
    .describe('1 or 0 (also true/false, yes/no, on/off)');
export const text = () => z.string().min(1).describe('text');
export const file = () => z.string().min(1).describe('a file path');
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values).describe(values.join(', '));
