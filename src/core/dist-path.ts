import path from 'node:path';

/**
 * The root of the tree this module runs from: `<repo>/dist` when compiled, `<repo>/src` for the
 * TS sources under jest. Both keep the same layout below it, and the repository is its parent.
 */
const CODE_ROOT = path.resolve(__dirname, '..');

/**
 * Absolute path of a compiled JS entry under `<repo>/dist/`, e.g. `distEntry('runner/task-process-main')`.
 * Child processes are always forked from compiled JS, also when the parent runs from src/ (jest).
 */
export function distEntry(relative: string): string {
  const normalized = relative.replace(/^(\.\/)?(src|dist)\//, '').replace(/\.(ts|js)$/, '');
  return path.join(path.dirname(CODE_ROOT), 'dist', `${normalized}.js`);
}

/**
 * Absolute path of a file or folder by its path under src/, in the tree this module runs from:
 * `dist/<relative>` when compiled (the build copies runtime assets there), `src/<relative>` under jest.
 */
export function codePath(relative: string): string {
  return path.join(CODE_ROOT, relative);
}
