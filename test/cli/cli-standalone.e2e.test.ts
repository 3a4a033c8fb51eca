import { spawn } from 'node:child_process';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-port';
import { createCliHome, CliHome, DAGCTL_BIN } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

const HELLO = `dag_id: hello_world
schedule: null
start_date: 2026-01-01
tasks:
  hello: { operator: bash, bash_command: "echo hello" }
  world: { operator: bash, bash_command: "echo world", upstream: [hello] }
`;

describe('dagctl standalone (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('hello.yaml', HELLO);
  });
  afterAll(async () => cli.close());

  it('initializes the database, serves the UI, runs a triggered DAG to success, and stops on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [DAGCTL_BIN, 'standalone'], {
      env: { ...cli.env, DAGCTL__WEBSERVER__PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => /dagctl is ready at (\S+)/.test(stdout), {
        what: 'standalone to be ready',
        timeoutMs: 180_000,
        intervalMs: 500,
      });
      expect(stdout).toContain(`http://127.0.0.1:${port}`);
      expect(stdout).toMatch(/log in with username admin, password \S+/);
      const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(health.status).toBe(200);

      await cli.ok(['trigger', 'hello_world', '-r', 'e2e']);
      const run = await eventually(
        async () => {
          const runs = await cli.json<Array<{ run_id: string; state: string }>>([
            'dags',
            'list-runs',
            '-d',
            'hello_world',
          ]);
          const found = runs.find((r) => r.run_id === 'e2e');
          expect(['success', 'failed']).toContain(found?.state);
          return found!;
        },
        { what: 'the run to finish', timeoutMs: 180_000, intervalMs: 500 },
      );
      expect(run.state).toBe('success');
      const states = await cli.json<Array<{ task_id: string; state: string }>>([
        'tasks',
        'states-for-dag-run',
        'hello_world',
        'e2e',
      ]);
      expect(states.map((ti) => [ti.task_id, ti.state])).toEqual([
        ['hello', 'success'],
        ['world', 'success'],
      ]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
