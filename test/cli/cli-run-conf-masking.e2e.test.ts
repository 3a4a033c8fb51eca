import { createCliHome, CliHome, CliResult } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

const DAG = '{ dag_id: conf_dag, schedule: null, start_date: 2026-01-01, tasks: { only: { operator: empty } } }';
const CONF = { table: 'sales', db_password: 'conf-pw-3a9c', nested: { corp_word: 'conf-word-b01f' } };
const MASKED = { table: 'sales', db_password: '***', nested: { corp_word: '***' } };
const WORDS = { DAGCTL__CORE__SENSITIVE_VAR_CONN_NAMES: 'corp_word' };

/** Issue 12: the CLI printed a run's conf in clear, values under sensitive keys included (contract §6). */
describe('run conf in CLI output (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('conf_dag.yaml', DAG);
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  const json = (result: CliResult): unknown => {
    expect(result).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout);
  };

  it('trigger and dags list-runs show *** under sensitive keys, configured words included', async () => {
    const triggered = await cli.run(['dags', 'trigger', 'conf_dag', '-c', JSON.stringify(CONF), '-o', 'json'], {
      env: WORDS,
    });
    expect(json(triggered)).toMatchObject({ dag_id: 'conf_dag', conf: MASKED });
    const runs = json(await cli.run(['dags', 'list-runs', '-d', 'conf_dag', '-o', 'json'], { env: WORDS }));
    expect(runs).toEqual([expect.objectContaining({ conf: MASKED })]);
  });
});
