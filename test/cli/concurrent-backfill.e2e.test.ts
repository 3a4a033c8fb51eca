import { createCliHome, CliHome } from './helpers/dagctl-cli';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(300_000);

const DAILY = `dag_id: daily
schedule: "@daily"
start_date: 2026-01-01
tasks:
  only: { operator: bash, bash_command: "echo hi" }
`;

// Separate processes, as users run them: in one process, SQLite connections would wait on each other.
describe.each(DATABASE_KINDS)('two dags backfill processes over the same dates on %s', (kind) => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome(kind);
    cli.writeDag('daily.yaml', DAILY);
    await cli.ok(['initdb']);
    await cli.ok(['dags', 'reserialize']);
  });
  afterAll(async () => cli.close());

  it('one records the backfill, the other is refused with a one-line reason; one plan of 30 dates', async () => {
    const args = ['dags', 'backfill', 'daily', '-s', '2026-02-01', '-e', '2026-03-02', '-o', 'json'];
    const results = await Promise.all([cli.run(args), cli.run(args)]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const refused = results.find((r) => r.code === 1)!;
    expect(refused.stderr.trim()).toMatch(/^.*already has a backfill in progress over these dates \(id 1\).*$/);
    const backfills = await cli.json<Array<{ id: number; total_intervals: number }>>(['backfill', 'list']);
    expect(backfills).toEqual([expect.objectContaining({ id: 1, total_intervals: 30 })]);
  });
});
