import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkDagTypes } from '../../../src/parsing/check-dag-types';

/*
 * The typed task API's promises are compile-time ones, so they are tested by compiling: the
 * fixture's good cases must compile and each `@ts-expect-error` must be needed (an unused one is
 * itself an error, TS2578). Stripping the directives must then give one error on each line they
 * guarded, proving each expectation fails for its own line.
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'typed-tasks.fixture.ts');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error/;

jest.setTimeout(120_000);

describe('typed task API types (tsc)', () => {
  test('the good cases compile and every @ts-expect-error is used', () => {
    expect(checkDagTypes([FIXTURE])).toEqual([]);
  });

  test('without the directives, exactly the guarded lines fail', () => {
    const source = fs.readFileSync(FIXTURE, 'utf8');
    const lines = source.split('\n');
    const guarded = lines.flatMap((line, i) => (DIRECTIVE.test(line) ? [i + 2] : []));
    expect(guarded.length).toBeGreaterThanOrEqual(7);
    // Blank the directive lines, so the numbering stays the same.
    const stripped = lines.map((line) => (DIRECTIVE.test(line) ? '' : line)).join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-typed-'));
    try {
      const file = path.join(dir, 'stripped.ts');
      fs.writeFileSync(file, stripped);
      const errors = checkDagTypes([file]);
      expect([...new Set(errors.map((e) => e.line))]).toEqual(guarded);
      expect(errors.every((e) => e.file === file)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
