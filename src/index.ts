/**
 * Library API: the same modules the CLI is built from, for scripts that embed
 * pairscore. Nothing runs at import time.
 */
export { loadConfig, type Config } from './config.js';
export { InputError, ModelError, RetryableError, PairscoreError } from './errors.js';
export type * from './contracts.js';
export { EMBEDDING_KINDS } from './contracts.js';
export { scanDataset, readDataset, chunkRows, type ColumnOptions, type DatasetInfo } from './ingest/index.js';
export { loadTokenizer, type PairTokenizer } from './tokenize/index.js';
export {
  createEmbedder,
  inspectModel,
  proveDevice,
  type Embedder,
  type EmbedderOptions,
  type Device,
  type ProvenDevice,
} from './embed/index.js';
export { createFeaturizer, listFeatures, DEFAULT_EXTRACT_FEATURES, type Featurizer } from './features/index.js';
export { loadHead, checkHeadFits, Mlp, softmax, headSchema, type HeadFile } from './classify/index.js';
export { createScorer, createExtractor, tokenizeChunk, type Stages, type Scorer, type Extractor } from './pipeline.js';
export { openStages, type StageOptions } from './stages.js';
export { runScore, runExtract, runTokenize, type LocalRunOptions } from './run/local.js';
export { MetricsAccumulator, type Metrics } from './report/metrics.js';
export { buildReportHtml, reportFromFile, writeReport, writeRemoteReport } from './report/build-report.js';
export type { ReportData, ReportContext, ConfidentError } from './report/report-data.js';
export { permutationImportance, type PermutationImportance } from './classify/importance.js';
export { makeModel, type MakeModelOptions } from './modelgen/index.js';
export { generatePairs, type SyntheticPair } from './synthetic/pairs.js';
export {
  submitRun,
  waitForRun,
  readResults,
  cancelRun,
  getRunStatus,
  startWorker,
  RunClient,
  newRunId,
  type SubmitOptions,
  type SubmitResult,
  type QueueTarget,
  type RunStatus,
  type WorkerSeen,
  type RunResult,
  type WorkerOptions,
  type WorkerHandle,
} from './queue/index.js';
export { runRemoteExtract, writeRunResults, type RemoteExtractResult } from './run/remote.js';
