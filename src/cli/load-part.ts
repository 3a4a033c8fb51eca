import path from 'node:path';
import { UserError } from '../core/errors';

/**
 * Load a module of another part of dagctl on first use (`load-part` keeps `dagctl version` and
 * `dagctl config list` from loading the scheduler, the web server or bullmq). `relative` is a
 * path under src/ (dist/ once built), without extension.
 */
export function loadPart<T>(relative: string, what: string): T {
  const file = path.join(__dirname, '..', relative);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && (err as Error).message.includes(file)) {
      throw new UserError(`${what} is not available in this build (${relative} is missing)`);
    }
    throw err;
  }
}
