/** `report`: one self-contained HTML file with the charts of a predictions or metrics file. */
import path from 'node:path';
import { Command } from 'commander';
import { buildReportHtml, writeRemoteReport } from '../report/build-report.js';
import { writeFileAtomic } from '../report/atomic-file.js';
import { columnOptions, say } from './options.js';
import { redisOptionsOn, targetOf } from './redis-command.js';
import { configFromFlags } from './setting-option.js';

interface ReportFlags {
  out: string;
  redis?: string | true;
  prefix?: string;
  input?: string;
  metrics?: string;
  premiseCol?: string;
  hypothesisCol?: string;
  labelCol?: string;
  idCol?: string;
  inputFormat?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
}

export function registerReportCommands(program: Command): void {
  const report = columnOptions(program.command('report <file-or-run>'), 'with --input: ')
    .description(
      'write an HTML report (summary, confusion matrix, per-class bars, calibration, most confident errors) of a predictions file (.jsonl/.csv/.parquet from score or results), a metrics .json or, with --redis, a run id; of a head file (train --out): its training curves and what it relies on. It opens offline',
    )
    .requiredOption('--out <report.html>', 'HTML file to write');
  redisOptionsOn(report, 'the argument is a run id: read the finished run from this Redis')
    .option('--input <dataset>', 'the dataset the predictions were scored from, to show the sentences of the most confident errors')
    .option(
      '--metrics <file>',
      "with a predictions file: the run's metrics JSON, for its pairs/s (a predictions file does not record speed)",
    )
    .action(async (file: string, f: ReportFlags) => {
      const columns = {
        ...(f.premiseCol ? { premiseCol: f.premiseCol } : {}),
        ...(f.hypothesisCol ? { hypothesisCol: f.hypothesisCol } : {}),
        ...(f.labelCol ? { labelCol: f.labelCol } : {}),
        ...(f.idCol ? { idCol: f.idCol } : {}),
        ...(f.inputFormat ? { format: f.inputFormat } : {}),
      };
      if (f.redis !== undefined) {
        const target = targetOf(configFromFlags(f));
        await writeRemoteReport(f.out, target, file, f.input !== undefined ? { input: f.input, columns } : {});
        say(`report of run ${file} → ${f.out}  (open file://${path.resolve(f.out)} in a browser; it needs no network)`);
        return;
      }
      const html = await buildReportHtml(file, {
        ...(f.input !== undefined ? { input: f.input, columns } : {}),
        ...(f.metrics !== undefined ? { metricsFile: f.metrics } : {}),
      });
      await writeFileAtomic(f.out, html);
      say(`report → ${f.out}  (open file://${path.resolve(f.out)} in a browser; it needs no network)`);
    });
}
