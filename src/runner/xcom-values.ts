import { errorMessage } from '../core/errors';

/** XComs cross processes and land in the DB as JSON: check each value and return its JSON copy. */
export function toJsonXcoms(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new Error(`XCom '${key}' is not JSON-serializable: ${errorMessage(err).split('\n')[0]}`, { cause: err });
    }
    if (text === undefined)
      throw new Error(`XCom '${key}' is not JSON-serializable: a ${typeof value} has no JSON form`);
    out[key] = JSON.parse(text) as unknown;
  }
  return out;
}
