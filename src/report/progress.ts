/**
 * A one-line progress display (pairs, pairs/s, ETA) redrawn on a TTY at most
 * a few times per second. Without a terminal (Jupyter, CI, a log file) a carriage-return
 * redraw would be garbage, so it prints a plain line every `everyMs` (10 s, as remote runs
 * do) and a last one at the end — only if the run lasted long enough to print one, so short
 * runs add nothing to logs.
 */

/** Plain-line interval without a terminal; the same as `submit --wait`'s status lines. */
export const PLAIN_PROGRESS_MS = 10_000;
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export function progressLine(label: string, done: number, total: number | undefined, seconds: number): string {
  const rate = seconds > 0 ? done / seconds : 0;
  if (total === undefined || total <= 0) return `${label} ${done} pairs  ${rate.toFixed(1)} pairs/s`;
  const frac = Math.min(1, done / total);
  const width = 24;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  return `${label} [${bar}] ${done}/${total} pairs  ${(frac * 100).toFixed(1)}%  ${rate.toFixed(1)} pairs/s  ETA ${formatDuration(eta)}`;
}

export function createProgress(
  label: string,
  total: number | undefined,
  stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr,
  everyMs = PLAIN_PROGRESS_MS,
): Progress {
  const start = performance.now();
  let last = 0;
  let shown = false;
  let plainShown = false;
  const line = (done: number) => progressLine(label, done, total, (performance.now() - start) / 1000);
  const draw = (done: number) => {
    stream.write(`\r${line(done)}\u001b[K`);
    shown = true;
  };
  let latest = 0;
  let lastPlain = start;
  return {
    update(done) {
      latest = done;
      const now = performance.now();
      if (!stream.isTTY) {
        if (now - lastPlain < everyMs) return;
        lastPlain = now;
        stream.write(`${line(done)}\n`);
        plainShown = true;
        return;
      }
      if (now - last < 200) return;
      last = now;
      draw(done);
    },
    finish() {
      if (!stream.isTTY) {
        if (plainShown) stream.write(`${line(latest)}\n`);
        return;
      }
      draw(latest);
      if (shown) stream.write('\n');
    },
  };
}
