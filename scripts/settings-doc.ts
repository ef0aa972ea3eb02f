/**
 * Writes the README's settings table from src/settings.ts (between its markers).
 *
 *   npm run docs:settings
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from '../src/settings-doc.js';

const readme = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const before = fs.readFileSync(readme, 'utf8');
const after = withSettingsTable(before);
if (after === before) process.stderr.write('README settings table already up to date\n');
else {
  fs.writeFileSync(readme, after);
  process.stderr.write('README settings table rewritten\n');
}
