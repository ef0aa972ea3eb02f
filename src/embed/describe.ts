/** Human-readable summary of a ModelInfo, for `pairscore inspect`. */
import type { ModelInfo } from '../contracts.js';

export function formatModelInfo(info: ModelInfo, modelPath?: string): string {
  const lines = [
    `model dir     ${info.dir}`,
    `sha256        ${info.sha256}`,
    `inputs        ${info.inputs.join(', ')}`,
    `outputs       ${info.outputs.join(', ')}`,
    `exposed       ${info.exposed.length > 0 ? info.exposed.join(', ') : '(none needed)'}`,
    `hidden size   ${info.hiddenSize}`,
    `max length    ${info.maxLength}`,
    `labels        ${info.numLabels > 0 ? info.id2label.join(', ') : '(none)'}`,
    `available     ${info.available.join(', ') || '(none)'}`,
    `sources       last hidden state: ${info.sources.lastHiddenState ?? '-'}`,
    `              pooled:            ${info.sources.pooled ?? '-'}`,
    `              logits:            ${info.sources.logits ?? '-'}`,
  ];
  if (modelPath) lines.push(`loads         ${modelPath}`);
  lines.push('notes');
  for (const n of info.notes) lines.push(`  - ${n}`);
  return lines.join('\n');
}
