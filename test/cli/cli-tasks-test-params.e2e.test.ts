import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', 'dags', 'example_params.ts'), 'utf8');

/** The JSON after `; returned ` on `tasks test`'s summary line. */
function returned(stdout: string): unknown {
  const match = /^Task example_params\.plan: success; returned (.*)$/m.exec(stdout);
  if (!match) throw new Error(`no success line in: ${stdout}`);
  return JSON.parse(match[1]);
}

describe('dagctl tasks test -t/--task-params (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('example_params.ts', EXAMPLE);
    await cli.ok(['initdb']);
    await cli.ok(['dags', 'reserialize']);
  });
  afterAll(async () => cli.close());

  it('merges the JSON over the DAG params: ctx.params and {{ params.x }} see it', async () => {
    const plan = await cli.run(['tasks', 'test', 'example_params', 'plan', '2026-03-04', '-t', '{"rows": 50, "x": 1}']);
    expect(plan.code).toBe(0);
    expect(returned(plan.stdout)).toEqual({ rows: 50, mode: 'incremental', dryRun: false, table: 'orders', x: 1 });
    const load = await cli.run([
      'tasks',
      'test',
      'example_params',
      'load',
      '2026-03-04',
      '--task-params',
      '{"mode": "full"}',
    ]);
    expect(load.code).toBe(0);
    expect(load.stdout).toContain('loading 10 rows into orders (full)');
  });

  it("a run's conf still wins over the task params, as in Airflow", async () => {
    await cli.ok(['dags', 'trigger', 'example_params', '-r', 'with_conf', '-c', '{"rows": 7}']);
    const plan = await cli.run([
      'tasks',
      'test',
      'example_params',
      'plan',
      'with_conf',
      '-t',
      '{"rows": 50, "mode": "full"}',
    ]);
    expect(plan.code).toBe(0);
    expect(returned(plan.stdout)).toMatchObject({ rows: 7, mode: 'full' });
  });

  it('refuses params that fail a schema, bad JSON and a non-object with exit 2 and one line', async () => {
    const test = (json: string) => cli.run(['tasks', 'test', 'example_params', 'plan', '2026-03-04', '-t', json]);
    expectCliError(await test('{"rows": 0}'), 2, /task params field 'rows' must be >= 1, got 0/);
    expectCliError(await test('{"mode": "partial"}'), 2, /task params field 'mode' must be equal to one of/);
    expectCliError(await test('{rows'), 2, /invalid --task-params JSON/);
    expectCliError(await test('[1, 2]'), 2, /invalid --task-params JSON: expected an object/);
  });
});
