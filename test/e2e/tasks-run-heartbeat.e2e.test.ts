import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { readHandRunTry } from '../helpers/hand-run-try';
import { CLI, dagctl } from '../helpers/cli';
import type { TestHome } from '../helpers/dagctl-home';
import { InitializedCliHome, initializeCliHome } from '../helpers/initialized-cli-home';
import { eventually, GiveUp } from '../helpers/eventually';
import { DATABASE_KINDS } from '../helpers/test-database';

/**
 * A task that blocks its event loop (here: a busy wait until the test lets it go) runs in the
 * `tasks run` process itself. It must not silence its LocalTaskJob's heartbeat: on another host a
 * scheduler would otherwise end the still-running try as lost and start a second one.
 */
function blockingDag(blockingFile: string, releaseFile: string): string {
  return `
import fs from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('blocks', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({
  taskId: 'spin',
  retries: 0,
  dag,
  fn: () => {
    fs.writeFileSync(${JSON.stringify(blockingFile)}, '');
    // Synchronous: no timer or I/O callback of this process runs until the release file appears
    // (or a minute passes, so a failed test leaves nothing spinning).
    const until = Date.now() + 60_000;
    while (!fs.existsSync(${JSON.stringify(releaseFile)}) && Date.now() < until) { /* spin */ }
    return 'released';
  },
});
export default dag;
`;
}

describe.each(DATABASE_KINDS)('tasks run with a task blocking its event loop on %s', (kind) => {
  let cli: InitializedCliHome;
  let home: TestHome;
  let ds: DataSource;
  let blockingFile: string;
  let releaseFile: string;

  beforeAll(async () => {
    cli = await initializeCliHome(kind, {
      env: { DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '200ms' },
      dags: (h) => {
        blockingFile = path.join(h.home, 'blocking');
        releaseFile = path.join(h.home, 'release');
        return { 'blocks.ts': blockingDag(blockingFile, releaseFile) };
      },
    });
    ({ home, ds } = cli);
  });

  afterAll(() => cli?.close());

  const handTry = () => readHandRunTry(ds, 'blocks', 'r1', 'spin');

  it('keeps heartbeating the LocalTaskJob while the task blocks', async () => {
    expect(dagctl(['trigger', 'blocks', '-r', 'r1'], home.env).status).toBe(0);
    const hand = spawn(process.execPath, [CLI, 'tasks', 'run', 'blocks', 'spin', 'r1'], {
      env: home.env,
      cwd: home.home,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    hand.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => hand.once('exit', (code) => resolve(code)));
    const stillRunning = () => {
      if (hand.exitCode !== null || hand.signalCode !== null) throw new GiveUp(`tasks run exited: ${stderr}`);
    };
    try {
      await eventually(
        () => {
          stillRunning();
          return fs.existsSync(blockingFile);
        },
        { what: 'the task to start blocking', timeoutMs: 30_000 },
      );
      const atBlock = await handTry();
      expect(atBlock).toMatchObject({ state: 'running', job_state: 'running' });
      // Several beats written while the process's event loop is blocked: each a later time.
      const seen = new Set<string>();
      await eventually(
        async () => {
          stillRunning();
          expect(fs.existsSync(releaseFile)).toBe(false);
          const t = await handTry();
          expect(t).toMatchObject({ state: 'running', job_state: 'running', job_id: atBlock!.job_id });
          if (new Date(t!.heartbeat!).getTime() > new Date(atBlock!.heartbeat!).getTime()) seen.add(t!.heartbeat!);
          expect(seen.size).toBeGreaterThanOrEqual(3);
        },
        { what: 'the heartbeat to advance three times while the task blocks', timeoutMs: 20_000 },
      );
      fs.writeFileSync(releaseFile, '');
      expect(await exited).toBe(0);
      // The beat came from its thread, not from a fallback timer on the blocked loop.
      expect(stderr).not.toContain('heartbeat');
      expect(await handTry()).toMatchObject({ state: 'success', job_state: 'success', job_id: atBlock!.job_id });
    } finally {
      if (!fs.existsSync(releaseFile)) fs.writeFileSync(releaseFile, '');
      if (hand.exitCode === null && hand.signalCode === null) process.kill(-hand.pid!, 'SIGKILL');
    }
  }, 90_000);
});
