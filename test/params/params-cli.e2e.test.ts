import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from '../cli/helpers/dagctl-cli';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', 'dags', 'example_params.ts'), 'utf8');
const BAD_DEFAULT = `import { DAG, EmptyOperator, param } from 'dagctl';
const dag = new DAG('bad_default', { params: { n: param(-1, { type: 'integer', minimum: 0 }) } });
new EmptyOperator({ taskId: 'noop', dag });
export default dag;
`;

jest.setTimeout(300_000);

describe('params through the CLI (built binary): example_params', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('example_params.ts', EXAMPLE);
    cli.writeDag('bad_default.ts', BAD_DEFAULT);
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  const runsOf = (dagId: string) => cli.json<unknown[]>(['dags', 'list-runs', '-d', dagId]);

  it('trigger with conf that fails a schema exits 2 naming the field, and creates no run', async () => {
    expectCliError(
      await cli.run(['trigger', 'example_params', '-c', '{"rows": "many"}']),
      2,
      /conf field 'rows' must be integer/,
    );
    expectCliError(
      await cli.run(['dags', 'trigger', 'example_params', '--conf', '{"mode": "partial"}']),
      2,
      /conf field 'mode' must be equal to one of the allowed values \["incremental","full"\]/,
    );
    expectCliError(
      await cli.run(['dags', 'test', 'example_params', '2026-03-04', '-c', '{"rows": 0}']),
      2,
      /conf field 'rows' must be >= 1/,
    );
    expect(await runsOf('example_params')).toEqual([]);
  });

  it('valid conf reaches the tasks merged over the defaults', async () => {
    const result = await cli.json<{ run_id: string; state: string }>([
      'dags',
      'test',
      'example_params',
      '2026-03-05',
      '-c',
      '{"rows": 50, "extra": "x"}',
    ]);
    expect(result.state).toBe('success');
    const logOf = (taskId: string): string =>
      fs.readFileSync(
        path.join(
          cli.home,
          'logs',
          'dag_id=example_params',
          `run_id=${result.run_id}`,
          `task_id=${taskId}`,
          'attempt=1.log',
        ),
        'utf8',
      );
    // Airflow-style {type, default} resolved to its default; conf wins where it sets a key.
    expect(logOf('plan')).toContain(
      'params: {"rows":50,"mode":"incremental","dryRun":false,"table":"orders","extra":"x"}',
    );
    expect(logOf('load')).toContain('loading 50 rows into orders (incremental)');
  });

  it('a default that fails its schema is an import error naming the DAG and the param', async () => {
    const errors = await cli.json<Array<{ filename: string; error: string }>>(['dags', 'list-import-errors']);
    const bad = errors.find((e) => e.filename.endsWith('bad_default.ts'));
    expect(bad?.error).toContain("DAG 'bad_default': param 'n' default -1 must be >= 0");
  });
});
