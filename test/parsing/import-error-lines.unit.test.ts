import { importErrorLines } from '../../src/parsing/import-error-lines';

describe('importErrorLines', () => {
  it('names each file with the first non-empty line of its error', () => {
    expect(importErrorLines({ '/d/b.ts': '\nSyntaxError: x\n    at foo', '/d/a.ts': 'cycle a -> a' })).toEqual([
      'import error in /d/a.ts: cycle a -> a',
      'import error in /d/b.ts: SyntaxError: x',
    ]);
  });

  it('names the first five and counts the rest', () => {
    const errors = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`/d/f${i}.ts`, `error ${i}`]));
    const lines = importErrorLines(errors);
    expect(lines).toHaveLength(6);
    expect(lines[4]).toBe('import error in /d/f4.ts: error 4');
    expect(lines[5]).toBe('and 3 more import errors (dagctl dags list-import-errors shows them all)');
  });
});
