/**
 * Runs the real `pairscore` CLI in a child process: compiled JS when the tests
 * run from dist/, the TypeScript source through tsx otherwise.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './shared.js';

const compiled = fileURLToPath(import.meta.url).endsWith('.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The node arguments that run `pairscore args…` (for a test that spawns it with its own stdio handling). */
export function cliArgv(args: string[]): string[] {
  return compiled
    ? [path.join(repoRoot, 'dist', 'src', 'cli.js'), ...args]
    : ['--import', 'tsx', path.join(repoRoot, 'src', 'cli.ts'), ...args];
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const argv = cliArgv(args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts a long-running CLI command (e.g. `worker`); stop it with `child.kill('SIGTERM')`. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number> } {
  const child = spawn(process.execPath, cliArgv(args), { cwd: repoRoot, env: { ...process.env, ...env } });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  return { child, output: () => out, exited };
}
