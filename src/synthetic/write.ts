import { createCsvWriter, createJsonlWriter, createLineWriter, fillWhole, type RowWriter } from '../report/writers.js';
import { generatePairs, type SyntheticPair } from './pairs.js';

/** Writes `count` synthetic pairs as JSONL, CSV or TSV (by extension). */
export async function writeSyntheticPairs(file: string, count: number, seed?: number): Promise<void> {
  const cols = ['id', 'premise', 'hypothesis', 'label'];
  let writer: RowWriter<SyntheticPair>;
  if (file.endsWith('.csv')) writer = await createCsvWriter<SyntheticPair>(file, cols, (r) => ({ ...r }));
  else if (file.endsWith('.tsv')) writer = await createTsvWriter(file, cols);
  else writer = await createJsonlWriter<SyntheticPair>(file);
  await fillWhole(writer, file, async () => {
    for (const pair of generatePairs(count, seed)) await writer.write(pair);
  });
}

/** Synthetic sentences never hold tabs or newlines, so TSV needs no quoting. */
function createTsvWriter(file: string, cols: string[]): Promise<RowWriter<SyntheticPair>> {
  return createLineWriter<SyntheticPair>(file, (r) => cols.map((c) => r[c as keyof SyntheticPair]).join('\t'), cols.join('\t'));
}
