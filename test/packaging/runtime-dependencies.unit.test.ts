import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * The image installs only `dependencies` (`npm ci --omit=dev`): a package that src/ imports but
 * package.json lists under devDependencies works in every test and breaks the deployed scheduler
 * (ajv did, through the params work). This finds such imports without installing anything.
 */
const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `ajv` of 'ajv/dist/x', `@scope/pkg` of '@scope/pkg/sub'; null for relative and node: imports. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/** Runtime imports only: `import type` and `import(…)` types vanish from the compiled code. */
const IMPORT =
  /^\s*(?:import(?!\s+type\b)[^'"]*?from\s+|import\s+|export\s+(?!type\b)[^'"]*?from\s+)['"]([^'"]+)['"]/gm;
const REQUIRE = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('runtime dependencies', () => {
  it('every package src/ imports at run time is in dependencies, not only devDependencies', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const missing = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const pattern of [IMPORT, REQUIRE]) {
        for (const match of text.matchAll(pattern)) {
          const name = packageOf(match[1]);
          if (name && name !== 'dagctl' && !(name in manifest.dependencies))
            missing.add(`${name} (${path.relative(ROOT, file)})`);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });
});
