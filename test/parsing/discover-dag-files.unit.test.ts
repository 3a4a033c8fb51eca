import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverDagFiles, isDagFileName, parseIgnorePatterns } from '../../src/parsing/discover-dag-files';

function write(root: string, relative: string, text = ''): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('discoverDagFiles', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-discover-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists DAG files recursively, sorted, skipping dot paths, node_modules and .d.ts', async () => {
    for (const f of [
      'b.ts',
      'a.js',
      'sub/c.mjs',
      'sub/deep/d.yaml',
      'e.yml',
      'types.d.ts',
      '.hidden.ts',
      '.git/x.ts',
      'node_modules/pkg/index.js',
      'notes.txt',
      'data.json',
      'sub/.cache/y.ts',
    ])
      write(root, f);
    const files = await discoverDagFiles(root);
    expect(files).toEqual(['a.js', 'b.ts', 'e.yml', 'sub/c.mjs', 'sub/deep/d.yaml'].map((f) => path.join(root, f)));
  });

  it('honours .dagctlignore regexes relative to the folder holding them', async () => {
    for (const f of ['keep.ts', 'scratch_one.ts', 'lib/helper.ts', 'team/a.ts', 'team/wip/b.ts', 'other/wip/c.ts'])
      write(root, f);
    write(root, '.dagctlignore', '# comment\n\nscratch_.*\n^lib/\n');
    write(root, 'team/.dagctlignore', '^wip\n');
    const files = await discoverDagFiles(root);
    expect(files).toEqual(['keep.ts', 'other/wip/c.ts', 'team/a.ts'].map((f) => path.join(root, f)));
  });

  it('returns nothing for a missing folder', async () => {
    expect(await discoverDagFiles(path.join(root, 'nope'))).toEqual([]);
  });

  it('classifies file names and skips bad ignore patterns', () => {
    expect(isDagFileName('x.ts')).toBe(true);
    expect(isDagFileName('x.d.ts')).toBe(false);
    expect(isDagFileName('x.yml')).toBe(true);
    expect(isDagFileName('x.py')).toBe(false);
    expect(parseIgnorePatterns('ok\n([bad\n# c\n').map((r) => r.source)).toEqual(['ok']);
  });
});
