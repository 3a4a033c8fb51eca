import { formatDuration } from '../core/duration';
import { configKeys, KeySpec } from './config-schema';
import type { LoadedConfig } from './load-config';

export interface ConfigRow {
  section: string;
  key: string;
  /** As a user would write it: durations with a unit ('30s'), secrets masked. */
  value: string | number | boolean;
  /** Something worth knowing about the key (where dagctl differs from Airflow). */
  note?: string;
}

/** Every key with its resolved value, for `dagctl config list`. */
export function describeConfig(config: LoadedConfig): ConfigRow[] {
  return configKeys().map(([section, key, spec]) => {
    const value = configValueText(spec, (config as unknown as Record<string, Record<string, unknown>>)[section][key]);
    const row: ConfigRow = { section, key, value: spec.secret ? maskSecret(String(value)) : value };
    if (spec.note) row.note = spec.note;
    return row;
  });
}

/**
 * A resolved value in the form the config accepts back: a duration in ms becomes '30s' (a bare
 * number would be read as seconds); anything else is itself.
 */
export function configValueText(spec: KeySpec, value: unknown): string | number | boolean {
  if (spec.kind === 'duration') return formatDuration(value as number);
  return value as string | number | boolean;
}

function maskSecret(value: string): string {
  if (!value) return value;
  // Keep the scheme and host of URLs visible; hide credentials.
  const url = /^([a-z0-9+]+:\/\/)([^@/]*@)?(.*)$/i.exec(value);
  if (url) return `${url[1]}${url[2] ? '***@' : ''}${url[3]}`;
  return '***';
}
