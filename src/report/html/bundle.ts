/**
 * The charting library inlined into every report: Vega, Vega-Lite and vega-embed, read from
 * their built UMD bundles in node_modules when a report is written (never copied into this
 * repository), so a report opens offline with no network at view time. The bundles define the
 * globals `vega`, `vegaLite` and `vegaEmbed`, in that order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** package → its UMD bundle, relative to the folder of the package's main entry (build/). */
const BUNDLES: ReadonlyArray<readonly [string, string]> = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
];

export interface InlineScript {
  name: string;
  version: string;
  source: string;
}

let cached: InlineScript[] | undefined;

function versionOf(entry: string): string {
  // The packages' `exports` hide package.json, so find it from the entry file upwards.
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version?: string }).version ?? '?';
  }
  return '?';
}

/** The three bundles, safe to place inside `<script>` elements. */
export function chartLibrary(): InlineScript[] {
  cached ??= BUNDLES.map(([pkg, file]) => {
    const entry = require.resolve(pkg);
    const source = fs
      .readFileSync(path.join(path.dirname(entry), file), 'utf8')
      // A source-map comment would make devtools fetch a file that is not there.
      .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
      // Nothing in a script element may close it early.
      .replace(/<\/(script)/gi, '<\\/$1');
    return { name: pkg, version: versionOf(entry), source };
  });
  return cached;
}
