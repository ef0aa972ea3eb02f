/**
 * One table, one set of rules: a flag and its environment variable accept the same text and refuse
 * it with the same words; the flag beats the variable, which beats the default; every option's
 * help names its default and its variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../src/config.js';
import { SETTINGS, accepts, defaultShown, type Setting, type SettingKey } from '../src/settings.js';
import { configFromFlags, settingOption } from '../src/commands/setting-option.js';

const keys = Object.keys(SETTINGS) as SettingKey[];

/** Parses `argv` with the one option; the error message when commander refuses it. */
function parseFlag(key: SettingKey, argv: string[]): { value?: unknown; error?: string } {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  const opt = settingOption(key);
  cmd.addOption(opt);
  try {
    cmd.parse(argv, { from: 'user' });
    return { value: cmd.opts()[opt.attributeName()] };
  } catch (err) {
    if (err instanceof CommanderError) return { error: err.message };
    throw err;
  }
}

test('a flag and its variable refuse the same bad text with the same words', () => {
  const bad = ['0', '-1', 'many', '1.5', '99999999999'];
  let compared = 0;
  for (const key of keys) {
    const s: Setting = SETTINGS[key];
    if (s.flag === undefined || s.env === undefined) continue;
    for (const text of bad) {
      const fromFlag = parseFlag(key, [s.flag.split(' ')[0]!, text]);
      let fromEnv: string | undefined;
      try {
        loadConfig({}, { [s.env]: text });
      } catch (err) {
        fromEnv = (err as Error).message;
      }
      assert.equal(
        fromFlag.error !== undefined,
        fromEnv !== undefined,
        `${key} "${text}": flag ${fromFlag.error ?? 'ok'}, env ${fromEnv ?? 'ok'}`,
      );
      if (fromEnv === undefined) continue;
      compared++;
      const words = accepts(key);
      if (fromFlag.error!.includes('Allowed choices')) assert.match(fromEnv, new RegExp(words.split(', ')[0]!), key);
      else assert.ok(fromFlag.error!.includes(words), `${key} flag error "${fromFlag.error}" lacks "${words}"`);
      assert.ok(fromEnv.includes(words) && fromEnv.includes(s.env), `${key} env error "${fromEnv}" lacks "${words}" or ${s.env}`);
    }
  }
  assert.ok(compared > 40, `only ${compared} refusals compared`);
});

test('the flag beats the variable, which beats the default', () => {
  assert.equal(configFromFlags({}, {}).concurrency, 2);
  assert.equal(configFromFlags({}, { PAIRSCORE_CONCURRENCY: '5' }).concurrency, 5);
  assert.equal(configFromFlags({ concurrency: 7 }, { PAIRSCORE_CONCURRENCY: '5' }).concurrency, 7);
  // Flag names that differ from the configuration's keys map through the table.
  const c = configFromFlags({ maxMemory: 300, redis: 'redis://h:1', prefix: 'p1', keep: 120 }, { PAIRSCORE_MAX_MEMORY_MB: '100' });
  assert.equal(c.maxMemoryMb, 300);
  assert.equal(c.redisUrl, 'redis://h:1');
  assert.equal(c.redisPrefix, 'p1');
  assert.equal(c.keepSeconds, 120);
  // `--redis` without a value (extract/report) means the configured URL.
  assert.equal(configFromFlags({ redis: true }, { REDIS_URL: 'redis://env:2' }).redisUrl, 'redis://env:2');
  // Durations read the same way from a flag and a variable.
  assert.equal(parseFlag('keepSeconds', ['--keep', '2h']).value, 7200);
  assert.equal(loadConfig({}, { PAIRSCORE_KEEP_SECONDS: '2h' }).keepSeconds, 7200);
  assert.equal(loadConfig({}, { PAIRSCORE_KEEP_SECONDS: '604800' }).keepSeconds, 604800);
});

test('flag-only settings carry their default in commander; the others leave it to the variable', () => {
  assert.equal(parseFlag('chunkRows', []).value, 1024);
  assert.equal(parseFlag('chunkJobRows', []).value, undefined, 'submit plans the chunk size when none is given');
  assert.equal(parseFlag('concurrency', []).value, undefined, 'a commander default would hide PAIRSCORE_CONCURRENCY');
  assert.equal(parseFlag('device', []).value, undefined, 'a commander default would hide PAIRSCORE_DEVICE');
});

test("every option's help names its default and its variable", () => {
  for (const key of keys) {
    const s: Setting = SETTINGS[key];
    if (s.flag === undefined) continue;
    const opt = settingOption(key);
    const shown = opt.defaultValue !== undefined ? String(opt.defaultValue) : defaultShown(key);
    assert.ok(opt.defaultValue !== undefined || opt.description.includes(`default: ${shown}`), `${key}: ${opt.description}`);
    if (s.env) assert.ok(opt.description.includes(`env ${s.env}`), `${key} help lacks ${s.env}: ${opt.description}`);
  }
});
