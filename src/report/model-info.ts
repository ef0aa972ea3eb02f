import type { ModelInfo } from '../contracts.js';

/** What `pairscore inspect` prints. */
export function formatModelInfo(info: ModelInfo): string {
  const src = info.sources;
  const lines = [
    `model        ${info.dir}`,
    `sha256       ${info.sha256}`,
    `inputs       ${info.inputs.join(', ')}`,
    `outputs      ${info.outputs.join(', ')}`,
    `exposed      ${info.exposed.length > 0 ? info.exposed.join(', ') : '(none needed)'}`,
    `hidden size  ${info.hiddenSize}`,
    `labels       ${info.numLabels > 0 ? info.id2label.join(', ') : '(no classifier)'}`,
    `max length   ${info.maxLength}`,
    `embeddings   ${info.available.join(', ') || '(none)'}`,
    `  cls/mean   ← ${src.lastHiddenState ?? '(not found)'}`,
    `  pooled     ← ${src.pooled ?? '(not found)'}`,
    `  logits     ← ${src.logits ?? '(not found)'}`,
  ];
  for (const n of info.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
