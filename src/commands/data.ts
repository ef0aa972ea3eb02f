/** `features` and `generate`: the feature list and the built-in pair generator. */
import { Command } from 'commander';
import { listFeatures, listOptInGroups } from '../features/index.js';
import { writeSyntheticPairs } from '../synthetic/write.js';
import { int, say } from './options.js';

export function registerDataCommands(program: Command): void {
  program
    .command('features')
    .description('list the hand-crafted features, in the order they are written')
    .action(() => {
      for (const f of listFeatures()) process.stdout.write(`${f.name.padEnd(24)} ${f.description}\n`);
      for (const g of listOptInGroups()) {
        process.stdout.write(
          `\nopt-in (not in "all"; select with --features all,${g.group}): ${g.group}, ${g.columns.length} columns ${g.columns[0]}…${g.columns.at(-1)}\n  ${g.description}\n`,
        );
      }
    });

  program
    .command('generate')
    .description('write built-in synthetic NLI pairs (negation, antonym, number and quantifier contradictions)')
    .option('--count <n>', 'pairs', int('--count'), 1000)
    .option('--seed <n>', 'random seed', int('--seed'), 7)
    .requiredOption('--out <file>', 'output file (.jsonl, .csv or .tsv)')
    .action(async (f: { count: number; seed: number; out: string }) => {
      await writeSyntheticPairs(f.out, f.count, f.seed);
      say(`wrote ${f.count} pairs to ${f.out}`);
    });
}
