import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../src/core/errors';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { isDag, isOperator } from '../../src/authoring/type-guards';
import type { FunctionOperator } from '../../src/authoring/operators/function-operator';
import { fakeTaskContext } from './helpers/fake-task-context';

/** DAG files live outside the repository: 'dagctl' must still resolve to this SDK. */
const root = mkdtempSync(join(tmpdir(), 'dagctl-loader-'));
const dagsDir = join(root, 'dags');
mkdirSync(join(dagsDir, 'lib'), { recursive: true });

function write(name: string, text: string): string {
  const file = join(dagsDir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(file: string): Promise<string> {
  try {
    await loadDagFile(file, { fresh: true });
  } catch (err) {
    return errorMessage(err);
  }
  throw new Error(`${file} loaded without error`);
}

describe('loadDagFile', () => {
  test("a TypeScript file importing 'dagctl' from anywhere", async () => {
    const file = write(
      'typed.ts',
      `import { DAG, EmptyOperator, FunctionOperator, TriggerRule, type TaskContext } from 'dagctl';
const dag = new DAG('typed', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z' });
const a = new EmptyOperator({ taskId: 'a', dag });
const b = new FunctionOperator({
  taskId: 'b',
  fn: (ctx: TaskContext): string => ctx.ds,
  triggerRule: TriggerRule.ALL_DONE,
  dag,
});
a.then(b);
export default dag;
`,
    );
    const dags = await loadDagFile(file);
    expect(dags).toHaveLength(1);
    const [dag] = dags;
    expect(isDag(dag)).toBe(true);
    expect(dag.dagId).toBe('typed');
    expect(dag.fileloc).toBe(file);
    const task = dag.getTask('b');
    expect(isOperator(task)).toBe(true);
    expect(task.triggerRule).toBe('all_done');
    expect(await task.execute(fakeTaskContext())).toBe('2026-01-02');
    const serialized = serializeDag(dag);
    expect(serialized.fileloc).toBe(file);
    expect(serialized.tasks.map((t) => t.taskId)).toEqual(['a', 'b']);
  });

  test('a second load without fresh returns the same DAG objects (warm processes)', async () => {
    const file = write('warm.ts', `import { DAG } from 'dagctl';\nexport default new DAG('warm');\n`);
    const first = await loadDagFile(file);
    expect(await loadDagFile(file)).toBe(first);
  });

  test('a load with remember: false keeps nothing: the next load without fresh imports the file again', async () => {
    const file = write('unkept.ts', `import { DAG } from 'dagctl';\nexport default new DAG('unkept');\n`);
    const first = await loadDagFile(file, { fresh: true, remember: false });
    const second = await loadDagFile(file);
    expect(second[0].dagId).toBe('unkept');
    expect(second).not.toBe(first);
    expect(await loadDagFile(file)).toBe(second);
  });

  test('default imports of Node built-ins and CommonJS packages work in DAG files', async () => {
    const file = write(
      'builtins.ts',
      `import fs from 'node:fs';
import path from 'path';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('builtins', {
  schedule: null,
  description: path.basename(__filename) + String(typeof fs.readFileSync),
});
new FunctionOperator({ taskId: 't', fn: () => fs.existsSync(path.join('/', 'tmp')), dag });
export default dag;
`,
    );
    const [dag] = await loadDagFile(file, { fresh: true });
    expect(dag.dagId).toBe('builtins');
    expect(dag.description).toBe('builtins.tsfunction');
  });

  test('CommonJS .js and ESM .mjs files', async () => {
    const cjs = write(
      'plain.js',
      `const { DAG, EmptyOperator } = require('dagctl');
const dag = new DAG('plain_js');
new EmptyOperator({ taskId: 't', dag });
module.exports = dag;
`,
    );
    const esm = write(
      'module.mjs',
      `import { DAG, BashOperator } from 'dagctl';
export const dag = new DAG('module_mjs');
new BashOperator({ taskId: 'b', bashCommand: 'echo hi', dag });
`,
    );
    expect((await loadDagFile(cjs)).map((d) => d.dagId)).toEqual(['plain_js']);
    const [mjs] = await loadDagFile(esm);
    expect(mjs.dagId).toBe('module_mjs');
    expect(mjs.getTask('b').operatorName).toBe('BashOperator');
  });

  test('several DAGs in one file, exported or not, each counted once', async () => {
    const file = write(
      'many.ts',
      `import { DAG } from 'dagctl';
const first = new DAG('first');
export const second = new DAG('second');
new DAG('not_exported');
export const list = [first, second, new DAG('in_list')];
export default first;
`,
    );
    const dags = await loadDagFile(file);
    expect(dags.map((d) => d.dagId)).toEqual(['first', 'second', 'not_exported', 'in_list']);
    expect(dags.every((d) => d.fileloc === file)).toBe(true);
  });

  test('a DAG defined in an imported helper module counts; helpers are re-read on fresh loads', async () => {
    write(
      'lib/factory.ts',
      `import { DAG, EmptyOperator } from 'dagctl';
export function makeDag(id: string): DAG {
  const dag = new DAG(id);
  new EmptyOperator({ taskId: 'v1', dag });
  return dag;
}
`,
    );
    const file = write('uses_lib.ts', `import { makeDag } from './lib/factory';\nmakeDag('from_factory');\n`);
    const [dag] = await loadDagFile(file, { fresh: true });
    expect(dag.taskIds).toEqual(['v1']);
    write(
      'lib/factory.ts',
      `import { DAG, EmptyOperator } from 'dagctl';
export function makeDag(id: string): DAG {
  const dag = new DAG(id);
  new EmptyOperator({ taskId: 'v2', dag });
  return dag;
}
`,
    );
    const [again] = await loadDagFile(file, { fresh: true });
    expect(again.taskIds).toEqual(['v2']);
  });

  test('fresh: true re-reads an edited file', async () => {
    const file = write(
      'edited.ts',
      `import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('edited');
new FunctionOperator({ taskId: 'version', fn: () => 1, dag });
export default dag;
`,
    );
    const [before] = await loadDagFile(file, { fresh: true });
    expect(await (before.getTask('version') as FunctionOperator).execute(fakeTaskContext())).toBe(1);
    write(
      'edited.ts',
      `import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('edited', { tags: ['v2'] });
new FunctionOperator({ taskId: 'version', fn: () => 2, dag });
new FunctionOperator({ taskId: 'added', fn: () => 3, dag });
export default dag;
`,
    );
    const [after] = await loadDagFile(file, { fresh: true });
    expect(after).not.toBe(before);
    expect(after.tags).toEqual(['v2']);
    expect(after.taskIds).toEqual(['version', 'added']);
    expect(await (after.getTask('version') as FunctionOperator).execute(fakeTaskContext())).toBe(2);
  });

  test('a syntax error names the file and the line', async () => {
    const file = write(
      'broken.ts',
      `import { DAG } from 'dagctl';\n\nconst dag = new DAG('broken', {\n  schedule: '@daily' +,\n});\n`,
    );
    const message = await loadError(file);
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: syntax error at line 4\\b`));
    expect(message).not.toContain('\n');
  });

  test('a syntax error in an imported module names that module', async () => {
    const helper = write('lib/broken_helper.ts', `export const x = ;\n`);
    const file = write('imports_broken.ts', `import { x } from './lib/broken_helper';\nexport const y = x;\n`);
    expect(await loadError(file)).toMatch(new RegExp(`^${file}: syntax error in ${helper} at line 1, column \\d+: `));
  });

  test('an error thrown at import is reported with the file', async () => {
    const file = write(
      'throws.ts',
      `import { DAG } from 'dagctl';\nnew DAG('throws');\nthrow new Error('cannot reach the warehouse');\n`,
    );
    expect(await loadError(file)).toBe(`${file}: cannot reach the warehouse`);
    const typeError = write('type_error.js', `const x = undefined;\nx.boom();\n`);
    expect(await loadError(typeError)).toMatch(
      new RegExp(`^${typeError}: TypeError: Cannot read properties of undefined`),
    );
  });

  test('DAG definition errors are one line naming the file and the problem', async () => {
    const dup = write(
      'dup.ts',
      `import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('dup');
new EmptyOperator({ taskId: 'a', dag });
new EmptyOperator({ taskId: 'a', dag });
`,
    );
    expect(await loadError(dup)).toBe(`${dup}: DAG 'dup': duplicate task id 'a'`);
    const cycle = write(
      'cycle.ts',
      `import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('cyc');
const a = new EmptyOperator({ taskId: 'a', dag });
const b = new EmptyOperator({ taskId: 'b', dag });
a.then(b).then(a);
`,
    );
    expect(await loadError(cycle)).toBe(`${cycle}: DAG 'cyc': cycle a → b → a`);
    const option = write('option.ts', `import { DAG } from 'dagctl';\nnew DAG('opt', { catchUp: true } as any);\n`);
    expect(await loadError(option)).toBe(`${option}: DAG 'opt': unknown option 'catchUp' (did you mean 'catchup'?)`);
    const twice = write('twice.ts', `import { DAG } from 'dagctl';\nnew DAG('same');\nnew DAG('same');\n`);
    expect(await loadError(twice)).toBe(`${twice}: DAG 'same' is defined more than once in this file`);
  });

  test('YAML files, missing files and unsupported extensions', async () => {
    const yaml = write('etl.yaml', 'dag_id: yaml_etl\ntasks:\n  a: { operator: empty }\n');
    const [dag] = await loadDagFile(yaml);
    expect(dag.dagId).toBe('yaml_etl');
    expect(dag.fileloc).toBe(yaml);
    const badYaml = write('bad.yml', 'dag_id: y\nfoo: 1\n');
    expect(await loadError(badYaml)).toBe(`${badYaml}: DAG 'y': unknown key 'foo'`);
    expect(await loadError(join(dagsDir, 'missing.ts'))).toBe(
      `${join(dagsDir, 'missing.ts')}: cannot read file: ENOENT`,
    );
    const txt = write('notes.txt', 'hello');
    expect(await loadError(txt)).toBe(`${txt}: unsupported DAG file type '.txt' (use .ts, .js, .mjs, .yaml or .yml)`);
  });

  test('a file without DAGs yields an empty list', async () => {
    expect(await loadDagFile(write('helpers.ts', `export const x = 1;\n`))).toEqual([]);
  });

  test('after a failed import the next load works again', async () => {
    const file = write('flaky.ts', `throw new Error('first');\n`);
    expect(await loadError(file)).toBe(`${file}: first`);
    write('flaky.ts', `import { DAG } from 'dagctl';\nexport default new DAG('flaky_fixed');\n`);
    expect((await loadDagFile(file, { fresh: true })).map((d) => d.dagId)).toEqual(['flaky_fixed']);
  });
});
