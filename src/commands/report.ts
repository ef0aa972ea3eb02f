/** `report`: one self-contained HTML file with the charts of a predictions or metrics file. */
import path from 'node:path';
import { Command } from 'commander';
import { buildReportHtml } from '../report/build-report.js';
import { writeFileAtomic } from '../report/atomic-file.js';
import { say } from './options.js';

interface ReportFlags {
  out: string;
  input?: string;
  metrics?: string;
  premiseCol?: string;
  hypothesisCol?: string;
  labelCol?: string;
  idCol?: string;
}

export function registerReportCommands(program: Command): void {
  program
    .command('report <file>')
    .description('write an HTML report (summary, confusion matrix, per-class bars, calibration, most confident errors) of a predictions file (.jsonl/.csv/.parquet from score or results) or a metrics .json; of a head file (train --out): its training curves and what it relies on. It opens offline')
    .requiredOption('--out <report.html>', 'HTML file to write')
    .option('--input <dataset>', 'the dataset the predictions were scored from, to show the sentences of the most confident errors')
    .option('--metrics <file>', "with a predictions file: the run's metrics JSON, for its pairs/s (a predictions file does not record speed)")
    .option('--premise-col <name>', 'with --input: premise column (default: detected)')
    .option('--hypothesis-col <name>', 'with --input: hypothesis column (default: detected)')
    .option('--label-col <name>', 'with --input: gold label column (default: detected)')
    .option('--id-col <name>', 'with --input: id column (default: detected)')
    .action(async (file: string, f: ReportFlags) => {
      const columns = {
        ...(f.premiseCol ? { premiseCol: f.premiseCol } : {}),
        ...(f.hypothesisCol ? { hypothesisCol: f.hypothesisCol } : {}),
        ...(f.labelCol ? { labelCol: f.labelCol } : {}),
        ...(f.idCol ? { idCol: f.idCol } : {}),
      };
      const html = await buildReportHtml(file, {
        ...(f.input !== undefined ? { input: f.input, columns } : {}),
        ...(f.metrics !== undefined ? { metricsFile: f.metrics } : {}),
      });
      await writeFileAtomic(f.out, html);
      say(`report → ${f.out}  (open file://${path.resolve(f.out)} in a browser; it needs no network)`);
    });
}
