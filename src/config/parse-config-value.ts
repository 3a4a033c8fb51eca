import { parseDuration } from '../core/duration';
import type { KeySpec } from './config-schema';

/**
 * One config value, as found in the file (any JSON value) or the environment (text), checked and
 * converted per its key's spec. Throws an Error whose message says what is wrong with the value;
 * the caller prefixes where it came from.
 */
export function parseConfigValue(spec: KeySpec, raw: unknown): string | number | boolean {
  switch (spec.kind) {
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw new Error(`expected a string, got ${describe(raw)}`);
    case 'choice':
      if (typeof raw === 'string' && spec.values.includes(raw)) return raw;
      throw new Error(`expected ${spec.values.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${describe(raw)}`);
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < spec.min)
        throw new Error(`expected a whole number >= ${spec.min}, got ${describe(raw)}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const v = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      throw new Error(`expected true or false, got ${describe(raw)}`);
    }
    case 'duration':
      return parseConfigDuration(raw);
  }
}

/**
 * A config duration in ms (contract §1): a bare number — JSON number or numeric text — is seconds,
 * as in airflow.cfg (`5` is five seconds, `0.5` half a second); a string with units ('500ms',
 * '30s', '5m', '1h30m') means what it says. DAG files keep milliseconds (parseDuration).
 */
export function parseConfigDuration(raw: unknown): number {
  const text = typeof raw === 'string' ? raw.trim() : null;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return Math.round(raw * 1000);
  if (text !== null && /^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (text && /^[\d.\smshdw]+$/.test(text)) {
    try {
      return parseDuration(text);
    } catch {
      // the one message below says what is accepted
    }
  }
  throw new Error(
    `expected a duration (a number of seconds, or a string such as '500ms', '30s', '5m'), got ${describe(raw)}`,
  );
}

function describe(raw: unknown): string {
  return typeof raw === 'string' ? `'${raw}'` : (JSON.stringify(raw) ?? String(raw));
}
