import net from 'node:net';
import { spawn } from 'node:child_process';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-port';
import { createCliHome, CliHome, DAGCTL_BIN } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

// Declared so that alphabetical order (audit, extract, load) differs from the order they run in.
const ORDERED = `import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('ordered', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const load = new FunctionOperator({
  taskId: 'load',
  dag,
  fn: (ctx) => {
    ctx.log.info('loading %d rows', 3);
    return { rows: 3, token: 'not-a-secret' };
  },
});
const extract = new BashOperator({ taskId: 'extract', dag, bashCommand: 'echo extracted by bash' });
const audit = new FunctionOperator({
  taskId: 'audit',
  dag,
  fn: () => {
    throw new Error('audit table is missing');
  },
});
new FunctionOperator({ taskId: 'after_audit', dag, fn: () => 1 }).setUpstream(audit);
load.setDownstream(extract);
extract.setDownstream(audit);
export default dag;
`;

describe('the terminal: dags test output, import errors on the console, ports', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    await cli.ok(['initdb']);
    cli.writeDag('ordered.ts', ORDERED);
  });
  afterAll(async () => cli.close());

  it("dags test prints each task's log lines labelled, the failure reason, and a summary in run order", async () => {
    const result = await cli.run(['dags', 'test', 'ordered']);
    expect(result.code).toBe(1);
    const out = result.stdout;
    // ctx.log lines, bash output and dagctl's own lines, each labelled with the task id.
    expect(out).toMatch(/^\[load\] \[\S+\] INFO - loading 3 rows$/m);
    expect(out).toMatch(/^\[load\] \[\S+\] INFO - Returned value: \{"rows":3,"token":"not-a-secret"\}$/m);
    expect(out).toMatch(/^\[extract\] extracted by bash$/m);
    expect(out).toMatch(/^\[audit\] \[\S+\] ERROR - Task finished: failed - audit table is missing/m);
    expect(out).toMatch(/^Failed: audit: audit table is missing$/m);
    // The summary lists the tasks in the order they ran, never-started ones last.
    const summary = out.slice(out.indexOf('task_id '));
    const rows = summary
      .split('\n')
      .slice(2)
      .filter((line) => line.includes('|'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map(([task, state, , tries]) => [task, state, tries])).toEqual([
      ['load', 'success', '1'],
      ['extract', 'success', '1'],
      ['audit', 'failed', '1'],
      ['after_audit', 'upstream_failed', '0'],
    ]);
    expect(rows[0][2]).toMatch(/^\d+(ms|(\.\d)?s)$/);
    expect(out).toMatch(/^DAG run test__\S+ of ordered: failed$/m);
  });

  it('dags test -o json keeps stdout machine-readable, in run order with durations and reasons', async () => {
    const result = await cli.run(['dags', 'test', 'ordered', '-o', 'json']);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as {
      task_instances: Array<{ task_id: string; state: string; duration: number | null; reason: string | null }>;
    };
    expect(parsed.task_instances.map((ti) => ti.task_id)).toEqual(['load', 'extract', 'audit', 'after_audit']);
    expect(parsed.task_instances[2]).toMatchObject({ state: 'failed', reason: 'audit table is missing' });
    expect(typeof parsed.task_instances[0].duration).toBe('number');
  });

  it('the scheduler console names a file that fails to import, with the first line of its error', async () => {
    cli.writeDag('broken.ts', "import { DAG } from 'dagctl';\nthrow new Error('broken on purpose');\n");
    const child = spawn(process.execPath, [DAGCTL_BIN, 'scheduler'], {
      env: cli.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => /import error in \S*broken\.ts: .*broken on purpose/.test(output), {
        what: 'the scheduler to name the broken file',
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      expect(output).toMatch(/\(1 import errors/);
      // One line per file: the error's first line, not its stack.
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      child.kill('SIGTERM');
      cli.writeDag('broken.ts', '');
    }
    expect(await exited).toBe(0);
  });

  it('webserver -p on a busy port exits 1 with a one-line hint; standalone -p too', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const hint = `port ${port} is in use: pass -p PORT or set DAGCTL__WEBSERVER__PORT`;
      for (const command of ['webserver', 'standalone']) {
        const result = await cli.run([command, '-p', String(port)]);
        expect({ command, code: result.code, stderr: result.stderr.trim() }).toEqual({
          command,
          code: 1,
          stderr: `error: ${hint}`,
        });
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('webserver -p PORT listens there and says so once', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [DAGCTL_BIN, 'webserver', '-p', String(port)], {
      env: cli.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => output.includes(`listening at http://127.0.0.1:${port}`), {
        what: 'the web server to listen',
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status).toBe(200);
      expect(output.match(/listening/g)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
