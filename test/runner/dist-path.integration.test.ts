import fs from 'node:fs';
import path from 'node:path';
import { distEntry } from '../../src/core/dist-path';

describe('distEntry', () => {
  const repo = path.resolve(__dirname, '..', '..');

  it('maps a module path (with or without src/ and .ts) to its compiled file under dist/', () => {
    const expected = path.join(repo, 'dist', 'runner', 'task-process-main.js');
    expect(distEntry('runner/task-process-main')).toBe(expected);
    expect(distEntry('src/runner/task-process-main.ts')).toBe(expected);
    expect(distEntry('runner/task-process-main.js')).toBe(expected);
    expect(fs.existsSync(expected)).toBe(true);
  });
});
