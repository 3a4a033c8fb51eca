import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTypeScriptDagFiles } from '../../../src/parsing/check-dag-types';

describe('findTypeScriptDagFiles (what dags check compiles)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-find-ts-'));
    for (const file of [
      'a.ts',
      'b.mts',
      'etl.yaml',
      'old.js',
      'types.d.ts',
      'sub/c.ts',
      'node_modules/x/d.ts',
      '.git/e.ts',
    ]) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), '');
    }
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a folder: its TypeScript files, recursively, without declarations, node_modules or hidden folders', () => {
    expect(findTypeScriptDagFiles(dir).map((f) => path.relative(dir, f))).toEqual(['a.ts', 'b.mts', 'sub/c.ts']);
  });

  test('a file: itself if it is TypeScript, else nothing', () => {
    expect(findTypeScriptDagFiles(path.join(dir, 'a.ts'))).toEqual([path.join(dir, 'a.ts')]);
    expect(findTypeScriptDagFiles(path.join(dir, 'etl.yaml'))).toEqual([]);
  });
});
