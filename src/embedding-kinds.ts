/**
 * The vectors a row can be represented by. Its own module so that the head
 * file format (src/classify/head-format.ts) and the run contracts
 * (src/contracts.ts, which embed a head in the run plan) can both use it
 * without importing each other.
 */
import { z } from 'zod';

/** `logits` is the model's own classifier output. */
export const EMBEDDING_KINDS = ['cls', 'pooled', 'mean', 'logits'] as const;
export type EmbeddingKind = (typeof EMBEDDING_KINDS)[number];
export const embeddingKindSchema = z.enum(EMBEDDING_KINDS);
