import { createCliHome, CliHome } from './helpers/dagctl-cli';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(300_000);

const DAILY = `dag_id: daily
schedule: "@daily"
start_date: 2026-01-01
tasks:
  only: { operator: bash, bash_command: "echo hi" }
`;

interface BackfillJson {
  created: Array<{ logical_date: string }>;
  existing: string[];
}

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

  it('both succeed; each run is created once, and a run the other created counts as existing', async () => {
    const args = ['dags', 'backfill', 'daily', '-s', '2026-02-01', '-e', '2026-03-02', '-o', 'json'];
    const results = await Promise.all([cli.run(args), cli.run(args)]);
    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const parsed = results.map((r) => JSON.parse(r.stdout) as BackfillJson);

    const created = parsed.flatMap((p) => p.created.map((run) => run.logical_date));
    expect(created).toHaveLength(30);
    expect(new Set(created).size).toBe(30);
    for (const p of parsed) expect(p.created.length + p.existing.length).toBe(30);
    const runs = await cli.json<unknown[]>(['dags', 'list-runs', '-d', 'daily']);
    expect(runs).toHaveLength(30);
  });
});
