/**
 * The README's settings table, rendered from src/settings.ts. `npm run docs:settings` writes it
 * between the README's markers; test/settings.readmeTable.test.ts fails when the two differ.
 */
import { SETTINGS, SETTING_GROUPS, accepts, defaultShown, type Setting, type SettingKey } from './settings.js';

export const README_MARKERS = { start: '<!-- settings:start (npm run docs:settings writes this table) -->', end: '<!-- settings:end -->' };

const cell = (v: string): string => v.replaceAll('|', '\\|');
const code = (v: string | undefined): string => (v === undefined ? '—' : `\`${cell(v)}\``);

export function renderSettingsTable(): string {
  const out: string[] = [];
  for (const [group, title] of Object.entries(SETTING_GROUPS)) {
    const keys = (Object.keys(SETTINGS) as SettingKey[]).filter((k) => SETTINGS[k].group === group);
    out.push(`**${title}**`, '', '| flag | variable | default | accepts | commands | meaning |', '|---|---|---|---|---|---|');
    for (const key of keys) {
      const s: Setting = SETTINGS[key];
      out.push(
        `| ${code(s.flag)} | ${code(s.env)} | ${cell(defaultShown(key))} | ${cell(accepts(key))} | ${cell(s.commands ?? (s.flag ? '' : '—'))} | ${cell(s.help)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/** `readme` with the text between the markers replaced by the rendered table. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start) throw new Error(`README has no settings markers (${README_MARKERS.start} … ${README_MARKERS.end})`);
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n\n${renderSettingsTable()}\n${readme.slice(end)}`;
}
