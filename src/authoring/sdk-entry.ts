import { existsSync } from 'node:fs';
import { dirname, extname, join, sep } from 'node:path';

/**
 * Absolute path of the SDK entry ('dagctl') next to this module: dist/index.js when running
 * compiled, src/index.ts under jest or a TypeScript runner.
 */
export function sdkEntryPath(): string {
  const ownExt = extname(__filename);
  const preferred = join(__dirname, '..', `index${ownExt === '.ts' ? '.ts' : '.js'}`);
  if (existsSync(preferred)) return preferred;
  const other = join(__dirname, '..', `index${ownExt === '.ts' ? '.js' : '.ts'}`);
  return existsSync(other) ? other : preferred;
}

/** The folder holding the SDK's own modules (never purged from the module cache). */
export function sdkRootDir(): string {
  return dirname(sdkEntryPath()) + sep;
}
