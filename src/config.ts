/**
 * The only place that reads process.env. `loadConfig()` validates once and returns a frozen
 * object; everything else receives the values it needs as arguments. Nothing here runs at import
 * time. Which variables exist, what they accept and their defaults: src/settings.ts, the one table
 * of settings (the README's table is rendered from it).
 */
import { z } from 'zod';
import { InputError } from './errors.js';
import { SETTINGS, accepts, type SettingKey } from './settings.js';

export { LOG_LEVELS } from './settings.js';

/** The settings that have an environment variable are the configuration. */
type EnvSettingKey = { [K in SettingKey]: (typeof SETTINGS)[K] extends { env: string } ? K : never }[SettingKey];
type ConfigShape = { [K in EnvSettingKey]: (typeof SETTINGS)[K]['schema'] };

const envKeys = (Object.keys(SETTINGS) as SettingKey[]).filter((k): k is EnvSettingKey => 'env' in SETTINGS[k]);

const configSchema = z.object(Object.fromEntries(envKeys.map((k) => [k, SETTINGS[k].schema])) as ConfigShape);

export type Config = Readonly<z.infer<typeof configSchema>>;

/**
 * Builds the configuration from the environment, then applies explicit overrides (CLI flags,
 * library callers). Undefined overrides are ignored.
 */
export function loadConfig(overrides: Partial<Record<keyof Config, unknown>> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of envKeys) {
    const v = env[SETTINGS[key].env];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const [key, v] of Object.entries(overrides)) if (v !== undefined) raw[key] = v;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => {
        const key = String(i.path[0]) as EnvSettingKey;
        const from = key in overrides && overrides[key] !== undefined ? 'flag' : SETTINGS[key].env;
        return `${key} (${from}): must be ${accepts(key)}, got ${JSON.stringify(raw[key])}`;
      })
      .join('; ');
    throw new InputError(`invalid configuration: ${issues}`);
  }
  return Object.freeze(parsed.data);
}
