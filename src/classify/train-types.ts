/**
 * The types the training modules share (options, the row matrix, what training returns) and
 * the default options, kept apart so network, optimizer and loop modules need not import each other.
 */
import type { Activation } from './head-format.js';

export type HiddenActivation = Exclude<Activation, 'linear'>;

export interface TrainOptions {
  /** Hidden layer widths; [] = softmax regression. */
  hidden: number[];
  activation: HiddenActivation;
  dropout: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  epochs: number;
  patience: number;
  seed: number;
  classWeights: 'balanced' | 'none';
  /** Probability of dropping the whole vector part of a training row. */
  groupDropout: number;
  /** Std of Gaussian noise added to standardized vector inputs of training rows. */
  vectorNoise: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  hidden: [128],
  activation: 'relu',
  dropout: 0.2,
  lr: 1e-3,
  weightDecay: 1e-2,
  batchSize: 64,
  epochs: 60,
  patience: 10,
  seed: 1,
  classWeights: 'balanced',
  groupDropout: 0,
  vectorNoise: 0,
};

/** Rows as one row-major matrix plus class ids. */
export interface Matrix {
  n: number;
  d: number;
  /** n × d. */
  x: Float32Array;
  /** Class index per row. */
  y: Int32Array;
}

export interface TrainInput {
  train: Matrix;
  val: Matrix | null;
  classes: number;
  /** Column ranges [start, end) of the vector part (embedding, logits) for the group regularizers. */
  vectorRanges: Array<[number, number]>;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  /** Over the epoch's training rows, as they were seen (under dropout and the vector regularizers). */
  trainMacroF1: number;
  valLoss?: number;
  valAccuracy?: number;
  valMacroF1?: number;
  best: boolean;
}

export interface TrainedMlp {
  mean: number[];
  std: number[];
  layers: Array<{ weight: number[][]; bias: number[]; activation: Activation }>;
  epochs: number;
  bestEpoch: number;
  history: EpochReport[];
  best?: { valAccuracy: number; valMacroF1: number; valLoss: number };
}
