/**
 * Commander options made from the settings table (src/settings.ts): the flag, its help with the
 * default and the environment variable, and a parser that accepts what the variable accepts.
 * A command may prefix the help ("with --redis: ") or take the value as optional; it never
 * re-declares a setting.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { SETTINGS, accepts, defaultShown, type Setting, type SettingKey } from '../settings.js';

export interface OptionTweak {
  /** Put before the help text, e.g. `with --redis: `. */
  prefix?: string;
  /** `--redis [url]`: the flag may come without a value (then it means the default). */
  optionalValue?: boolean;
  /** Replaces the help text where the command gives the flag a narrower meaning. */
  help?: string;
}

function choicesOf(schema: unknown): readonly string[] | undefined {
  while (schema instanceof z.ZodType) {
    if (schema instanceof z.ZodEnum) return schema.options as string[];
    schema = (schema._zod.def as { innerType?: unknown }).innerType;
  }
  return undefined;
}

function flagOf(key: SettingKey): string {
  const s: Setting = SETTINGS[key];
  if (s.flag === undefined) throw new Error(`setting ${key} has no flag`);
  return s.flag;
}

export function settingOption(key: SettingKey, tweak: OptionTweak = {}): Option {
  const s: Setting = SETTINGS[key];
  const flag = tweak.optionalValue ? flagOf(key).replace(/<([^>]+)>$/, '[$1]') : flagOf(key);
  const name = flag.split(' ')[0] ?? flag;
  const fallback = s.schema.safeParse(undefined);
  // Settings with a variable get their default in loadConfig (the variable beats the default),
  // so commander holds none and the help says both.
  const commanderDefault = s.env === undefined && fallback.success && fallback.data !== undefined ? fallback.data : undefined;
  const extra = commanderDefault !== undefined ? '' : ` (default: ${defaultShown(key)}${s.env ? `; env ${s.env}` : ''})`;
  const opt = new Option(flag, `${tweak.prefix ?? ''}${tweak.help ?? s.help}${extra}`);
  const choices = choicesOf(s.schema);
  if (choices) opt.choices(choices);
  else
    opt.argParser((v: string) => {
      const r = s.schema.safeParse(v);
      if (!r.success) throw new InvalidArgumentError(`${name} must be ${accepts(key)}`);
      return r.data;
    });
  if (commanderDefault !== undefined) opt.default(commanderDefault);
  return opt;
}

/** Adds the options of `keys`, in that order, each with the same tweak. */
export function settingOptions(cmd: Command, keys: readonly SettingKey[], tweak: OptionTweak = {}): Command {
  for (const key of keys) cmd.addOption(settingOption(key, tweak));
  return cmd;
}

/**
 * The configuration with the flags of `flags` (commander's parsed options) over the environment;
 * `env` for tests (by default loadConfig reads the process's environment).
 */
export function configFromFlags(flags: object, env?: NodeJS.ProcessEnv): Config {
  const given = flags as Record<string, unknown>;
  const overrides: Partial<Record<keyof Config, unknown>> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const s: Setting = SETTINGS[key];
    if (s.env === undefined || s.flag === undefined) continue;
    const v = given[new Option(s.flag).attributeName()];
    // `--redis` given without a URL (an optional-value flag) means "the configured one".
    if (v !== undefined && v !== true) overrides[key as keyof Config] = v;
  }
  return env === undefined ? loadConfig(overrides) : loadConfig(overrides, env);
}
