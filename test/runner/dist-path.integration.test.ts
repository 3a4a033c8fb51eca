import fs from 'node:fs';
import path from 'node:path';
import { codePath, distEntry } from '../../src/core/dist-path';
import { RUNTIME_ASSETS, runtimeAsset } from '../../src/core/runtime-assets';

const repo = path.resolve(__dirname, '..', '..');

/** Every file below `dir` (or `dir` itself when it is a file), relative to it. */
function filesBelow(dir: string): string[] {
  if (fs.statSync(dir).isFile()) return [''];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort();
}

describe('distEntry', () => {
  it('maps a module path (with or without src/ and .ts) to its compiled file under dist/', () => {
    const expected = path.join(repo, 'dist', 'runner', 'task-process-main.js');
    expect(distEntry('runner/task-process-main')).toBe(expected);
    expect(distEntry('src/runner/task-process-main.ts')).toBe(expected);
    expect(distEntry('runner/task-process-main.js')).toBe(expected);
    expect(fs.existsSync(expected)).toBe(true);
  });
});

describe('runtime assets', () => {
  it('are found in the tree the code runs from: src/ under jest', () => {
    expect(codePath('web/ui/views')).toBe(path.join(repo, 'src', 'web', 'ui', 'views'));
    for (const [name, relative] of Object.entries(RUNTIME_ASSETS))
      expect(runtimeAsset(name as keyof typeof RUNTIME_ASSETS)).toBe(path.join(repo, 'src', relative));
  });

  it('are copied by the build to the same paths under dist/, file for file', () => {
    for (const relative of Object.values(RUNTIME_ASSETS)) {
      const [source, copy] = [path.join(repo, 'src', relative), path.join(repo, 'dist', relative)];
      expect([relative, filesBelow(copy)]).toEqual([relative, filesBelow(source)]);
    }
  });

  it('are all the non-TypeScript files under src/, so none is forgotten by the build', () => {
    const assets = Object.values(RUNTIME_ASSETS) as string[];
    const src = path.join(repo, 'src');
    const others = filesBelow(src).filter((file) => !file.endsWith('.ts'));
    const unlisted = others.filter((file) => !assets.some((a) => file === a || file.startsWith(`${a}/`)));
    expect(unlisted).toEqual([]);
  });
});
