import { errorMessage } from '../core/errors';
import type { TaskInstanceKey } from '../core/task-instance-key';
import type { XComSettings } from './xcom/xcom-settings';

/** Why a value has no faithful JSON form, with where in it; null when it has one. */
function notJson(value: unknown, at: string, seen: Set<object>): string | null {
  switch (typeof value) {
    case 'function':
      return `a function at ${at}`;
    case 'bigint':
      return `a BigInt at ${at} (convert it to a number or a string)`;
    case 'symbol':
      return `a symbol at ${at}`;
    case 'object': {
      if (value === null) return null;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null; // Date and friends
      if (seen.has(value)) return `a cycle at ${at}`;
      seen.add(value);
      const entries = Array.isArray(value) ? value.map((item, i) => [`[${i}]`, item] as const) : Object.entries(value);
      for (const [name, item] of entries) {
        const path = Array.isArray(value) ? `${at}${name}` : `${at}.${name}`;
        const reason = item === undefined ? null : notJson(item, path, seen);
        if (reason) return reason;
      }
      seen.delete(value);
      return null;
    }
    default:
      return null;
  }
}

/**
 * XComs cross processes and are stored as JSON: check each value (no function, BigInt or cycle,
 * at most `maxBytes` as JSON), hand it to the backend and return what the rows will hold. The
 * error names the task and the key, so the task's log and its failure say which value was wrong.
 * `mask` (the try's secrets masker) is applied to the JSON form, after the checks.
 */
export function storeXComs(
  ti: TaskInstanceKey,
  values: Record<string, unknown>,
  settings: XComSettings,
  mask?: (value: unknown) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const what = `XCom '${key}' of task '${ti.taskId}'`;
    const reason = notJson(value, 'the top', new Set());
    if (reason) throw new Error(`${what} is not JSON: it holds ${reason}`);
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      throw new Error(`${what} is not JSON: ${errorMessage(err).split('\n')[0]}`, { cause: err });
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > settings.maxBytes)
      throw new Error(
        `${what} is ${bytes} bytes as JSON, more than core.max_xcom_size (${settings.maxBytes}); ` +
          `raise it, or keep large data elsewhere and push its location`,
      );
    const plain = JSON.parse(json) as unknown;
    const stored = mask ? mask(plain) : plain;
    out[key] = settings.backend.store({ ti, key }, stored, mask ? JSON.stringify(stored) : json);
  }
  return out;
}
