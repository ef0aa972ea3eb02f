/**
 * Peak RSS of a `pairscore` command in a child process (GNU time's "Maximum resident set
 * size"): the whole process — main thread, session worker thread(s), ONNX Runtime.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TIME = '/usr/bin/time';

/** The CLI entry next to this build: dist/src/cli.js when compiled, src/cli.ts under tsx. */
export function cliEntry(): { args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const cli = path.resolve(path.dirname(here), '..', '..', 'src', `cli${ext}`);
  return { args: ext === '.ts' ? ['--import', 'tsx', cli] : [cli] };
}

export function canMeasureRss(): boolean {
  return fs.existsSync(TIME);
}

export interface RssResult {
  peakMB: number;
  seconds: number;
  code: number;
  stderr: string;
}

/** Runs `pairscore ...args` under /usr/bin/time -v and returns its peak RSS. */
export function pairscoreRss(args: string[], env: NodeJS.ProcessEnv): Promise<RssResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(TIME, ['-v', process.execPath, ...cliEntry().args, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`no RSS figure from ${TIME}: ${stderr.slice(-500)}`));
      resolve({ peakMB: (Number(m[1]) * 1024) / 1e6, seconds: (performance.now() - t0) / 1000, code: code ?? -1, stderr });
    });
  });
}
