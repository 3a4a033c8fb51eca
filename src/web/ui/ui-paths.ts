import fs from 'node:fs';
import path from 'node:path';

/**
 * Views and static assets are not TypeScript, so `tsc` never copies them to dist/. They are read
 * from the source folder `<package root>/src/web/ui/`, found by walking up from this file: the
 * same answer whether this code runs from `src/web/ui` (jest) or `dist/web/ui` (built).
 */
export function findPackageRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dagctl') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the dagctl package root above ${start}`);
    dir = parent;
  }
}

export interface UiPaths {
  views: string;
  static: string;
}

let cached: UiPaths | null = null;

export function uiPaths(): UiPaths {
  if (!cached) {
    const base = path.join(findPackageRoot(), 'src', 'web', 'ui');
    cached = { views: path.join(base, 'views'), static: path.join(base, 'static') };
  }
  return cached;
}
