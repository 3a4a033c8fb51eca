import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a test goes: its file name ends in the jest project it belongs to (package.json
 * jest.projects). A test file no project matches would never run, so it fails here; and a unit
 * test stays pure logic: no database, Redis, child process, browser or build.
 */
const ROOT = path.resolve(__dirname, '..');
const projects = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    jest: { projects: Array<{ displayName: string; testMatch: string[] }> };
  }
).jest.projects;

/** What a unit test may not import (directly): each needs a server, a process, a browser or dist/. */
const NOT_IN_UNIT_TESTS = [
  /^(node:)?child_process$/,
  /^(pg|ioredis|bullmq|playwright-core|supertest|better-sqlite3)$/,
  /\/helpers\/(test-database|test-redis|dagctl-home|cli|run-queries|migrated-database-for-each-test)$/,
  /\/helpers\/services\/private-/,
  /\/src\/db\/data-source$/,
  /(^|\/)dist\//,
];

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.test.ts') ? [path.relative(ROOT, file)] : [];
  });
}

describe('test project layout', () => {
  const files = ['src', 'test'].flatMap((dir) => testFiles(path.join(ROOT, dir)));
  const suffixes = projects.map((p) => ({ name: p.displayName, suffix: `.${p.displayName}.test.ts` }));

  it('every project matches its file suffix', () => {
    expect(projects.map((p) => p.testMatch)).toEqual(suffixes.map((s) => [`**/*${s.suffix}`]));
    expect(suffixes.map((s) => s.name)).toEqual(
      expect.arrayContaining(['unit', 'integration', 'e2e', 'browser', 'fault']),
    );
  });

  it('every test file names exactly one project', () => {
    const unplaced = files.filter((file) => suffixes.filter((s) => file.endsWith(s.suffix)).length !== 1);
    const names = suffixes.map((s) => `*${s.suffix}`).join(', ');
    expect(unplaced.map((file) => `${file}: name it ${names} (docs/TESTING.md)`)).toEqual([]);
  });

  it('unit tests import no database, Redis, child process, browser or build output', () => {
    const offending = files
      .filter((file) => file.endsWith('.unit.test.ts'))
      .flatMap((file) =>
        [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/from '([^']+)'|import\('([^']+)'\)/g)]
          .map((m) => m[1] ?? m[2])
          .filter((specifier) => NOT_IN_UNIT_TESTS.some((pattern) => pattern.test(specifier)))
          .map((specifier) => `${file} imports ${specifier}`),
      );
    expect(offending).toEqual([]);
  });
});
