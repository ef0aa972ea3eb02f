/**
 * What the pipeline tells about where a chunk's time goes. The stage modules
 * call this narrow interface and know nothing of who listens: a worker passes
 * its Prometheus series (src/queue/metrics.ts), local runs pass nothing.
 */
import type { EmbedObserver } from './embed/types.js';

export type StageName = 'tokenize' | 'embed' | 'features' | 'classify';

export const STAGE_NAMES: readonly StageName[] = ['tokenize', 'embed', 'features', 'classify'];

export interface StageObserver extends EmbedObserver {
  /**
   * Wall seconds one stage took for one chunk. `embed` runs on the session threads while
   * `features` runs on the calling thread, so the two overlap: their sum can exceed the chunk's time.
   */
  stage(name: StageName, seconds: number): void;
}
