/**
 * A JSON-safe, canonical copy of `value`: object keys sorted (so equal DAGs give identical JSON
 * and therefore the same hash), Dates as ISO strings, functions as '<function name>', undefined
 * dropped from objects, cycles cut.
 */
export function toJsonValue(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return `<function ${value.name || 'anonymous'}>`;
  if (typeof value === 'undefined' || typeof value === 'symbol') return null;
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') {
    const time = (value as Date).getTime();
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }
  if (value instanceof RegExp) return value.toString();
  if (seen.has(value)) return '<circular>';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => toJsonValue(item, seen));
    if (value instanceof Set) return [...value].map((item) => toJsonValue(item, seen));
    const entries: Array<[string, unknown]> =
      value instanceof Map ? [...value].map(([k, v]) => [String(k), v]) : Object.entries(value);
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (item !== undefined) result[key] = toJsonValue(item, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}
