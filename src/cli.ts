#!/usr/bin/env node
/**
 * The `pairscore` command line. Each command lives in src/commands/ as a thin
 * call into the stage modules; this file only assembles them and maps errors
 * to exit codes.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadConfig } from './config.js';
import { exitCodeFor, InterruptedError } from './errors.js';
import { createLogger } from './log.js';
import { pairscoreVersion } from './version.js';
import { registerModelCommands } from './commands/model.js';
import { registerDataCommands } from './commands/data.js';
import { registerLocalCommands } from './commands/local.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerTrainCommands } from './commands/train.js';
import { registerReportCommands } from './commands/report.js';

export function buildProgram(): Command {
  const program = new Command('pairscore')
    .description('Score sentence pairs with a fine-tuned BERT [CLS]/pooled vector, hand-crafted features and an MLP head')
    .version(pairscoreVersion(), '-V, --version', "print pairscore's version")
    .showHelpAfterError()
    // Commander's own exits (unknown flag, missing argument, --help) become thrown
    // CommanderErrors, so `main` decides every exit code in one place. Subcommands
    // inherit this setting because it is made before they are added.
    .exitOverride();

  registerModelCommands(program);
  registerDataCommands(program);
  registerLocalCommands(program);
  registerQueueCommands(program);
  registerDashboardCommand(program);
  registerTrainCommands(program);
  registerReportCommands(program);
  return program;
}

/** Exit code of a commander error: 0 for --help/--version, 2 for bad flags or arguments (its message is already printed). */
function commanderExitCode(err: CommanderError): number {
  return err.exitCode === 0 ? 0 : 2;
}

/** Runs the CLI; resolves to the exit code (see src/errors.ts: 0 done, 1 run incomplete or timeout, 2 bad input, 130 interrupted). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    const code = exitCodeFor(err);
    const msg = err instanceof Error ? err.message : String(err);
    // An interruption is the user's doing, not an error of the command.
    process.stderr.write(err instanceof InterruptedError ? `pairscore: ${msg}\n` : `pairscore: error: ${msg}\n`);
    if (code === 1 && err instanceof Error && err.stack) {
      createLogger(loadConfig().logLevel).debug({ err }, 'unexpected error');
    }
    return code;
  }
}

// Run only as the entry point (also through npm's bin symlink), so tests can
// import buildProgram without side effects.
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
