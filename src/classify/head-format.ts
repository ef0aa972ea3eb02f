/**
 * The MLP head file: self-describing JSON, so a head can be checked against
 * the model and feature set it was trained with before any row is scored.
 *
 * Input vector layout, always in this order:
 *   [ embedding (inputs.embedding_dim values) | features (inputs.features order) | logits (inputs.logits_dim) ]
 * It is standardized with `standardize` ((x - mean) / std) before the first layer.
 * Layer weights are row-major [out][in]; activations apply after each layer,
 * and softmax after the last one gives one probability per label.
 */
import { z } from 'zod';
import { embeddingKindSchema } from '../embedding-kinds.js';

export const HEAD_FORMAT = 'pairscore-mlp';
export const HEAD_VERSION = 1;

export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const finite = z.number().finite();

const layerSchema = z.object({
  weight: z.array(z.array(finite).min(1)).min(1),
  bias: z.array(finite).min(1),
  activation: z.enum(ACTIVATIONS),
});

export const headSchema = z
  .object({
    format: z.literal(HEAD_FORMAT),
    version: z.literal(HEAD_VERSION),
    labels: z.array(z.string().min(1)).min(2),
    inputs: z.object({
      embedding: embeddingKindSchema.nullable(),
      embedding_dim: z.number().int().min(0),
      features: z.array(z.string().min(1)),
      logits: z.boolean(),
      logits_dim: z.number().int().min(0),
    }),
    model: z.object({
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex sha256'),
      name: z.string().optional(),
    }),
    standardize: z.object({ mean: z.array(finite), std: z.array(finite) }),
    layers: z.array(layerSchema).min(1),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((head, ctx) => {
    const dim = headInputDim(head);
    if (dim === 0) ctx.addIssue({ code: 'custom', message: 'the head reads no inputs' });
    if (head.standardize.mean.length !== dim || head.standardize.std.length !== dim) {
      ctx.addIssue({ code: 'custom', message: `standardize mean/std must have ${dim} values (the input size)` });
    }
    if (head.standardize.std.some((s) => s <= 0)) {
      ctx.addIssue({ code: 'custom', message: 'standardize.std values must be > 0' });
    }
    let inDim = dim;
    head.layers.forEach((layer, i) => {
      if (layer.bias.length !== layer.weight.length) {
        ctx.addIssue({
          code: 'custom',
          message: `layer ${i}: bias has ${layer.bias.length} values, weight has ${layer.weight.length} rows`,
        });
      }
      if (layer.weight.some((row) => row.length !== inDim)) {
        ctx.addIssue({ code: 'custom', message: `layer ${i}: every weight row must have ${inDim} values (the previous layer's size)` });
      }
      inDim = layer.weight.length;
    });
    if (inDim !== head.labels.length) {
      ctx.addIssue({ code: 'custom', message: `the last layer has ${inDim} outputs but there are ${head.labels.length} labels` });
    }
  });

export type HeadFile = z.infer<typeof headSchema>;

export function headInputDim(head: Pick<HeadFile, 'inputs'>): number {
  const i = head.inputs;
  return (i.embedding ? i.embedding_dim : 0) + i.features.length + (i.logits ? i.logits_dim : 0);
}
