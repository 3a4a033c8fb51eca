import { errorMessage } from '../../core/errors';
import type { XComBackend } from './xcom-backend';

/**
 * A row's `value` column as the JSON text of the value pushed, for the API and the UI: a backend
 * that keeps the value elsewhere is asked for it. A value that cannot be read says why instead.
 */
export function storedXComText(backend: XComBackend, column: string | null): string | null {
  if (column === null) return null;
  try {
    const stored = JSON.parse(column) as unknown;
    const value = backend.load(stored);
    return value === stored ? column : JSON.stringify(value);
  } catch (err) {
    return JSON.stringify(`<XCom value unreadable: ${errorMessage(err)}>`);
  }
}
