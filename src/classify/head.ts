/**
 * Loading a head file and checking, before any row is scored, that it fits the
 * model and the feature set it will be fed.
 */
import fs from 'node:fs/promises';
import type { ModelInfo } from '../contracts.js';
import { fewNames, InputError, ModelError } from '../errors.js';
import { headSchema, type HeadFile } from './head-format.js';
import { Mlp } from './mlp.js';

export async function loadHead(file: string): Promise<HeadFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read head file ${file}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`head file ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = headSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(`head file ${file} is not a pairscore MLP head: ${why}`);
  }
  return parsed.data;
}

/**
 * Throws a ModelError naming every mismatch between the head and what the
 * model/featurizer provide.
 */
export function checkHeadFits(head: HeadFile, model: ModelInfo, featureNames: readonly string[], headFile = 'head'): void {
  const problems: string[] = [];
  const inputs = head.inputs;
  if (head.model.sha256 !== model.sha256) {
    problems.push(
      `it was trained with a model.onnx of sha256 ${head.model.sha256.slice(0, 12)}…, but ${model.dir}/model.onnx has ${model.sha256.slice(0, 12)}…`,
    );
  }
  if (inputs.embedding) {
    if (!model.available.includes(inputs.embedding)) {
      problems.push(
        `it reads the '${inputs.embedding}' embedding, which this model does not provide (available: ${model.available.join(', ') || 'none'})`,
      );
    } else {
      const dim = inputs.embedding === 'logits' ? model.numLabels : model.hiddenSize;
      if (dim !== inputs.embedding_dim)
        problems.push(`it expects a ${inputs.embedding_dim}-value '${inputs.embedding}' vector; the model gives ${dim}`);
    }
  }
  if (inputs.logits) {
    if (!model.available.includes('logits')) problems.push('it reads the model logits, which this model does not output');
    else if (model.numLabels !== inputs.logits_dim)
      problems.push(`it expects ${inputs.logits_dim} logits; the model gives ${model.numLabels}`);
  }
  const want = inputs.features.join(',');
  if (want !== featureNames.join(',')) {
    const missing = inputs.features.filter((f) => !featureNames.includes(f));
    problems.push(
      missing.length > 0
        ? `it needs ${missing.length} feature column(s) that are not computed: ${fewNames(missing)}`
        : `its features must be, in this order: ${fewNames(inputs.features) || '(none)'} — leave --features out to use the head's`,
    );
  }
  if (problems.length > 0) {
    throw new ModelError(`the MLP head ${headFile} does not fit: ${problems.join('; ')}`);
  }
}

/** Feature selection a head needs, as a --features value. */
export function headFeatureSelection(head: HeadFile): string {
  return head.inputs.features.length > 0 ? head.inputs.features.join(',') : 'none';
}

/** Assembles the head's input vector: [embedding | features | logits]. */
export function assembleInput(
  head: HeadFile,
  embedding: Float32Array | undefined,
  features: Float32Array,
  logits: Float32Array | undefined,
): Float32Array {
  const { inputs } = head;
  const out = new Float32Array((inputs.embedding ? inputs.embedding_dim : 0) + features.length + (inputs.logits ? inputs.logits_dim : 0));
  let o = 0;
  if (inputs.embedding) {
    if (!embedding) throw new ModelError(`the head needs the '${inputs.embedding}' embedding, which was not computed`);
    out.set(embedding, o);
    o += embedding.length;
  }
  out.set(features, o);
  o += features.length;
  if (inputs.logits) {
    if (!logits) throw new ModelError('the head needs the model logits, which were not computed');
    out.set(logits, o);
  }
  return out;
}

export { Mlp };
