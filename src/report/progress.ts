/**
 * A one-line progress display (pairs, pairs/s, ETA) redrawn on a TTY at most
 * a few times per second; on a non-TTY it stays silent so logs and pipes stay clean.
 */
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
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const start = performance.now();
  let last = 0;
  let shown = false;
  const draw = (done: number) => {
    stream.write(`\r${progressLine(label, done, total, (performance.now() - start) / 1000)}\u001b[K`);
    shown = true;
  };
  let latest = 0;
  return {
    update(done) {
      latest = done;
      if (!stream.isTTY) return;
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      draw(done);
    },
    finish() {
      if (!stream.isTTY) return;
      draw(latest);
      if (shown) stream.write('\n');
    },
  };
}
