import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

const GOOD = `import { DAG, task } from 'dagctl';
import { readFileSync } from 'node:fs';

const dag = new DAG('typed_ok', { schedule: null });
const count = task({ taskId: 'count', dag }, () => readFileSync('/etc/hostname', 'utf8').length);
const double = task({ taskId: 'double', dag }, (_ctx, n: number) => n * 2);
double(count());
export default dag;
`;

// Line 6 passes a string output where a number is expected.
const PLANTED = `import { DAG, task } from 'dagctl';

const dag = new DAG('typed_bad', { schedule: null });
const name = task({ taskId: 'name', dag }, () => 'orders');
const double = task({ taskId: 'double', dag }, (_ctx, n: number) => n * 2);
double(name());
export default dag;
`;

jest.setTimeout(300_000);

describe('dagctl dags check (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
  });
  afterAll(async () => cli.close());

  it('exits 0 on well-typed DAG files (the dags folder by default)', async () => {
    cli.writeDag('typed_ok.ts', GOOD);
    cli.writeDag('etl.yaml', 'dag_id: etl\nschedule: null\ntasks:\n  a: { operator: bash, bash_command: "true" }\n');
    const result = await cli.run(['dags', 'check']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: 'No type errors in 1 DAG file(s)\n',
    });
  });

  it('reports a planted type error with its file, line and column, and exits 1', async () => {
    const file = path.join(cli.home, 'dags', 'typed_bad.ts');
    fs.writeFileSync(file, PLANTED);
    const result = await cli.run(['dags', 'check']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      / - Argument of type 'TaskOutput<string>' is not assignable to parameter of type 'TaskOutput<number>'/,
    );
    expect(lines[0].startsWith(`${file}:6:8 - `)).toBe(true);
    expect(lines[1]).toBe('Found 1 type error(s) in 1 of 2 DAG file(s)');
    // A single file can be checked on its own.
    const single = await cli.run(['dags', 'check', path.join(cli.home, 'dags', 'typed_ok.ts')]);
    expect(single.code).toBe(0);
  });

  it('exits 2 for a path that does not exist', async () => {
    const result = await cli.run(['dags', 'check', path.join(cli.home, 'nope')]);
    expectCliError(result, 2, /path .*nope does not exist/);
  });
});
