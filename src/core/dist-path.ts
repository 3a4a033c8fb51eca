import path from 'node:path';

/**
 * Absolute path of a compiled JS entry under `<repo>/dist/`, e.g. `distEntry('runner/task-process-main')`.
 * Child processes are always forked from compiled JS; this works both from `dist/core` (normal use)
 * and from `src/core` (TS sources under jest), whose parent folder is the repository either way.
 */
export function distEntry(relative: string): string {
  const repo = path.resolve(__dirname, '..', '..');
  const normalized = relative.replace(/^(\.\/)?(src|dist)\//, '').replace(/\.(ts|js)$/, '');
  return path.join(repo, 'dist', `${normalized}.js`);
}
