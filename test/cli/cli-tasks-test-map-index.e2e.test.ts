import { createCliHome, CliHome } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

const MAPPED = `
import { BashOperator, DAG } from 'dagctl';
const dag = new DAG('mapped_cli', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
BashOperator.partial({ taskId: 'greet', dag }).expand({ bashCommand: ['echo hello-zero', 'echo hello-one'] });
export default dag;
`;

describe('dagctl tasks test --map-index (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('mapped_cli.ts', MAPPED);
    await cli.ok(['initdb']);
    await cli.ok(['dags', 'reserialize']);
  });
  afterAll(async () => cli.close());

  it('runs the given map index of a mapped task with its own element, and refuses the whole task', async () => {
    const one = await cli.run(['tasks', 'test', 'mapped_cli', 'greet', '2026-03-04', '--map-index', '1']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('hello-one');
    expect(one.stdout).not.toContain('hello-zero');
    expect(one.stdout).toMatch(/Task mapped_cli\.greet\[1\]: success/);
    const whole = await cli.run(['tasks', 'test', 'mapped_cli', 'greet', '2026-03-04']);
    expect(whole.code).toBe(1);
    expect(whole.stdout + whole.stderr).toMatch(/is mapped: run one of its map indexes, not map index -1/);
    const beyond = await cli.run(['tasks', 'test', 'mapped_cli', 'greet', '2026-03-04', '--map-index', '5']);
    expect(beyond.code).toBe(1);
    expect(beyond.stdout + beyond.stderr).toMatch(/map index 5 is beyond the lists it expands over/);
  });
});
