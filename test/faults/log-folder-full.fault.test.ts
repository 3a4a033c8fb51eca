import fs from 'node:fs';
import path from 'node:path';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

/**
 * Task logs that cannot be written (local executor, PostgreSQL: a SQLite file would hit the limit
 * too). First the scheduler runs under `ulimit -f` (files it and its tasks write stop growing at
 * 128 KiB: EFBIG, as on a full disk) with tasks writing 400 KB each; then the log folder is
 * replaced by a plain file, so that no try can create its log at all. Every run still succeeds,
 * the failure is reported, and the scheduler lives on.
 */
const LIMIT_KIB = 128;
const LOUD_BASH = "head -c 400000 /dev/zero | tr '\\\\0' x | fold -w 100";
const LOUD_JS = "const line = 'y'.repeat(99); for (let i = 0; i < 4000; i += 1) console.log(line);";

describe('fault: the log folder full', () => {
  jest.setTimeout(300_000);
  const cluster = new FaultCluster({
    database: 'postgres',
    executor: 'local',
    dags: {
      'plain.ts': workloadDag('plain', plainTasks(2)),
      'loud.ts': workloadDag('loud', [
        { taskId: 'bash', kind: 'bash', body: LOUD_BASH },
        { taskId: 'js', kind: 'js', body: LOUD_JS },
      ]),
    },
  });
  const logFolder = (): string => path.join(cluster.home.home, 'logs');
  const logFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? logFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));

  beforeAll(async () => {
    await cluster.setUp();
    cluster.startScheduler(`ulimit -f ${LIMIT_KIB}`);
    await cluster.waitForDags();
  });

  afterAll(() => cluster.tearDown());

  it('logs cut off at the file size limit: every run succeeds, the scheduler reports it and lives on', async () => {
    await cluster.triggerAll(1);
    await cluster.waitForRunsFinal();
    const figures = await cluster.check({
      scenario: 'the log folder full: file size limit (local, PostgreSQL)',
      injected: `scheduler under ulimit -f ${LIMIT_KIB} (task logs stop at 128 KiB with EFBIG)`,
      workload: '1 run × 2 tasks writing 400 KB each beside 1 run × 4 plain tasks',
    });
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'n/a' });
    const loudLogs = logFiles(logFolder()).filter((f) => f.includes('loud'));
    expect(loudLogs.length).toBeGreaterThanOrEqual(2);
    for (const file of loudLogs) expect(fs.statSync(file).size).toBeLessThanOrEqual(LIMIT_KIB * 1024);
    expect(cluster.schedulers[0].output).toMatch(/cannot write task log/);
    expect(cluster.schedulers[0].running).toBe(true);
  });

  it('no log can be created at all: every run still succeeds and the scheduler lives on', async () => {
    fs.renameSync(logFolder(), `${logFolder()}.gone`);
    fs.writeFileSync(logFolder(), 'not a folder\n');
    // triggerAll names runs r0…: the second round needs other ids.
    for (const dagId of ['plain', 'loud']) await triggerDagRun(cluster.ctx, { dagId, runId: 'unlogged' });
    await cluster.waitForRunsFinal();
    const figures = await cluster.check({
      scenario: 'the log folder full: no log can be created (local, PostgreSQL)',
      injected: 'log folder replaced by a plain file mid-run (every log open fails: ENOTDIR)',
      workload: '1 run × 2 tasks writing 400 KB each beside 1 run × 4 plain tasks',
    });
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'n/a' });
    expect(cluster.schedulers[0].running).toBe(true);
  });
});
