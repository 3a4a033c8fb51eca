import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import type { Executor, ExecutorEvent, TaskWorkload } from '../../src/core/executor';
import { TaskState } from '../../src/core/states';
import type { TaskInstanceKey } from '../../src/core/task-instance-key';
import { execSql } from '../../src/db/sql';
import { claimTryByHand } from '../../src/db/transitions/claim-try-by-hand';
import { claimTryStart, claimTryStarts } from '../../src/db/transitions/claim-try-start';
import { startJob } from '../../src/db/transitions/job-transitions';
import { STRANDED_CLAIM_REASON } from '../../src/db/transitions/lost-to-platform';
import { LocalExecutor } from '../../src/executors/local-executor';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { SchedulerLoop } from '../../src/scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../../src/scheduler/scheduler-options';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { JumpingClock } from '../helpers/jumping-clock';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';
import { GATED_DAG, SOLO_DAG } from '../helpers/claim-test-dags';

jest.setTimeout(120_000);

interface TryState {
  state: string | null;
  try_number: number;
  max_tries: number;
  platform_retries: number;
  end_reason: string | null;
}

/** An executor the test drives by hand: it runs what the test says and reports what it is told. */
class ScriptedExecutor implements Executor {
  readonly name = 'scripted';
  readonly received: TaskWorkload[] = [];
  running: Array<{ key: TaskInstanceKey; tryNumber: number }> = [];
  private events: ExecutorEvent[] = [];
  /** Runs when the loop next asks for free slots: after it drained events, before its checks. */
  private onSlotsAsked: (() => void) | null = null;
  async start(): Promise<void> {}
  queueWorkload(workload: TaskWorkload): void {
    this.received.push(workload);
  }
  slotsAvailable(): number {
    const then = this.onSlotsAsked;
    this.onSlotsAsked = null;
    then?.();
    return 8;
  }
  drainEvents(): ExecutorEvent[] {
    return this.events.splice(0);
  }
  onEvent(): void {}
  runningKeys(): Array<{ key: TaskInstanceKey; tryNumber: number }> {
    return [...this.running];
  }
  async end(): Promise<void> {}
  async terminate(): Promise<void> {}
  /** The try ends (forgotten, its end reported) once the loop that runs next has drained its events. */
  finishAfterNextDrain(key: TaskInstanceKey, tryNumber: number): void {
    this.onSlotsAsked = () => {
      this.running = this.running.filter((r) => r.key.runId !== key.runId || r.tryNumber !== tryNumber);
      this.events.push({
        type: 'finished',
        key,
        tryNumber,
        at: new Date().toISOString(),
        outcome: { state: 'success' },
      });
    };
  }
}

/**
 * A claim (queued → running) whose COMMIT reached the database although the scheduler saw it fail
 * (PostgreSQL's connection dropped during COMMIT) leaves a try running with no process under a
 * live scheduler. The loop ends such a try lost to the platform once it has been claimed for
 * `scheduler.zombie_threshold`, and never a try its executor runs or has just reported ended.
 */
describe.each(DATABASE_KINDS)("a live scheduler's claims that no process runs (%s)", (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let clock: JumpingClock;
  let jobId: number;
  let executor: Executor | null;
  const zombieThresholdMs = () => resolveSchedulerOptions(ctx.config).zombieThresholdMs;
  /** Past the threshold for every claim made so far. */
  const pastTheThreshold = () => clock.jump(zombieThresholdMs() + 60_000);
  /** Past the interval of the stranded-claim check (10 s), so the next loop checks again. */
  const pastTheCheckInterval = () => clock.jump(11_000);

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    clock = new JumpingClock();
    ctx = { ...(await openTestContext(home)), clock };
    jobId = await startJob(ctx.dataSource, 'SchedulerJob', 'LocalExecutor', new Date());
    executor = null;
  });
  afterEach(async () => {
    await executor?.end(10_000);
    await closeAppContext(ctx);
    await db.drop();
    home.remove();
  });

  const tryOf = async (dagId: string, runId: string): Promise<TryState> => {
    const { records } = await execSql<TryState>(
      ctx.dataSource,
      `SELECT state, try_number, max_tries, platform_retries, end_reason FROM task_instance
       WHERE dag_id = ? AND run_id = ?`,
      [dagId, runId],
    );
    const [row] = records;
    return {
      ...row,
      try_number: Number(row.try_number),
      max_tries: Number(row.max_tries),
      platform_retries: Number(row.platform_retries),
    };
  };

  it('ends a try claimed but run by no process as lost; the task runs again, a running try goes on', async () => {
    home.writeDag('solo.ts', SOLO_DAG);
    home.writeDag('gated.ts', GATED_DAG);
    await ensureDagsParsed(ctx);
    // Not started: no task process is ready, so the first try is claimed by its task process.
    const local = LocalExecutor.fromConfig(ctx.config, { mode: 'warm' });
    executor = local;
    local.claimTriesWith(async (request) => {
      const start = { at: new Date(request.at), hostname: request.hostname, pid: request.pid, queuedByJobId: jobId };
      const [won] = await claimTryStarts(ctx.dataSource, [{ key: request.key, tryNumber: request.tryNumber, start }]);
      // solo's first claim commits, but its answer is lost: the task process takes it as refused.
      if (won && request.key.dagId === 'solo' && request.tryNumber === 1)
        throw new Error('Connection terminated unexpectedly');
      return won;
    });
    const loop = new SchedulerLoop(ctx, local, resolveSchedulerOptions(ctx.config), jobId);

    const solo = await triggerDagRun(ctx, { dagId: 'solo' });
    await eventually(
      async () => {
        await loop.tick();
        return (await tryOf('solo', solo.runId)).state === 'running' && local.runningKeys().length === 0;
      },
      { what: "solo's try to be claimed and given up by its task process" },
    );
    const gate = path.join(home.home, 'gate');
    const gated = await triggerDagRun(ctx, { dagId: 'gated', conf: { gate } });
    await eventually(
      async () => {
        await loop.tick();
        return (
          (await tryOf('gated', gated.runId)).state === 'running' &&
          local.runningKeys().some((r) => r.key.dagId === 'gated')
        );
      },
      { what: "gated's try to run" },
    );
    // Claimed just now: not taken for stranded yet.
    await loop.tick();
    expect(await tryOf('solo', solo.runId)).toMatchObject({ state: 'running', try_number: 1 });

    pastTheThreshold();
    await loop.tick();
    // Found once: ended only if the next check finds it so too (an end reported meanwhile would be applied).
    expect(await tryOf('solo', solo.runId)).toMatchObject({ state: 'running', try_number: 1 });
    pastTheCheckInterval();
    await loop.tick();
    // Lost to the platform: a new try follows at once without using one of the task's retries.
    expect(await tryOf('solo', solo.runId)).toEqual({
      state: 'up_for_retry',
      try_number: 1,
      max_tries: 1,
      platform_retries: 1,
      end_reason: STRANDED_CLAIM_REASON,
    });
    // Its task process runs it: left alone, however long ago it was claimed.
    expect(await tryOf('gated', gated.runId)).toMatchObject({ state: 'running', try_number: 1, platform_retries: 0 });

    await eventually(
      async () => {
        await loop.tick();
        return (await tryOf('solo', solo.runId)).state === 'success';
      },
      { what: 'solo to run again and succeed' },
    );
    expect(await tryOf('solo', solo.runId)).toMatchObject({ try_number: 2, platform_retries: 1 });
    fs.writeFileSync(gate, '');
    await eventually(
      async () => {
        await loop.tick();
        return (await tryOf('gated', gated.runId)).state === 'success';
      },
      { what: 'gated to finish' },
    );
    expect(await tryOf('gated', gated.runId)).toMatchObject({ try_number: 1, platform_retries: 0 });
    const { records: history } = await execSql<{ try_number: number; state: string; end_reason: string | null }>(
      ctx.dataSource,
      `SELECT try_number, state, end_reason FROM task_instance_history WHERE dag_id = 'solo' ORDER BY try_number`,
    );
    expect(history.map((h) => ({ ...h, try_number: Number(h.try_number) }))).toEqual([
      { try_number: 1, state: 'up_for_retry', end_reason: STRANDED_CLAIM_REASON },
      { try_number: 2, state: 'success', end_reason: null },
    ]);
  });

  describe('with an executor the test drives', () => {
    let scripted: ScriptedExecutor;
    let loop: SchedulerLoop;
    let key: TaskInstanceKey;
    let runId: string;

    beforeEach(async () => {
      await seedDag(ctx.dataSource, makeDag('solo', [makeTask('only')]));
      scripted = new ScriptedExecutor();
      executor = scripted;
      loop = new SchedulerLoop(ctx, scripted, resolveSchedulerOptions(ctx.config), jobId);
      runId = (await triggerDagRun(ctx, { dagId: 'solo' })).runId;
      await loop.tick();
      expect(scripted.received.map((w) => w.key.taskId)).toEqual(['only']);
      key = scripted.received[0].key;
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'queued', try_number: 1 });
    });

    /** The try claimed for this scheduler on this host, as a loop whose commit answer was lost leaves it. */
    const claimedWithNoHandOver = async () => {
      const start = { at: new Date(), hostname: os.hostname(), pid: process.pid, queuedByJobId: jobId };
      expect(await claimTryStart(ctx.dataSource, key, 1, start)).toBe(true);
    };

    it('ends a try claimed in the loop transaction whose hand-over never happened; it is sent again', async () => {
      await claimedWithNoHandOver();
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'running', try_number: 1 });
      pastTheThreshold();
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'running', try_number: 1 });
      pastTheCheckInterval();
      await loop.tick();
      expect(await tryOf('solo', runId)).toEqual({
        state: 'up_for_retry',
        try_number: 1,
        max_tries: 1,
        platform_retries: 1,
        end_reason: STRANDED_CLAIM_REASON,
      });
      await eventually(
        async () => {
          await loop.tick();
          return scripted.received.some((w) => w.tryNumber === 2);
        },
        { what: 'try 2 to be sent' },
      );
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'queued', try_number: 2 });
    });

    it('counts the loss as a failure once scheduler.max_platform_retries is used up, as for a zombie', async () => {
      loop = new SchedulerLoop(ctx, scripted, { ...resolveSchedulerOptions(ctx.config), maxPlatformRetries: 0 }, jobId);
      await claimedWithNoHandOver();
      pastTheThreshold();
      await loop.tick();
      pastTheCheckInterval();
      await loop.tick();
      expect(await tryOf('solo', runId)).toEqual({
        state: 'failed',
        try_number: 1,
        max_tries: 0,
        platform_retries: 0,
        end_reason:
          `${STRANDED_CLAIM_REASON}; scheduler.max_platform_retries (0) used up, ` +
          'so it counts as a failure (zombie task)',
      });
    });

    it('leaves a long-running try whose end was reported after the loop drained events to that end', async () => {
      await claimedWithNoHandOver();
      scripted.running = [{ key, tryNumber: 1 }];
      pastTheThreshold();
      // The try ends within the loop, after its drain: not running any more, its end not applied yet.
      scripted.finishAfterNextDrain(key, 1);
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'running', try_number: 1, platform_retries: 0 });
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'success', try_number: 1, platform_retries: 0 });
    });

    // A try claimed and ended within one loop, after its drain, looks stranded to that loop's check
    // when a backward step of the clock made its claim look old: its end is only applied next loop.
    it('leaves a try whose end was reported after the drain while the executor never listed it', async () => {
      await claimedWithNoHandOver();
      pastTheThreshold();
      scripted.finishAfterNextDrain(key, 1);
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'running', try_number: 1, platform_retries: 0 });
      pastTheCheckInterval();
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'success', try_number: 1, platform_retries: 0 });
    });

    it('leaves a try run by hand from the queued send of this scheduler', async () => {
      // The hand run's job (this process: alive, however old its heartbeat looks after the jump).
      const jobId = await startJob(ctx.dataSource, 'LocalTaskJob', null, clock.now());
      const hand = { key, tryNumber: 1, from: [TaskState.QUEUED], hostname: os.hostname(), pid: process.pid, jobId };
      expect(await claimTryByHand(ctx.dataSource, hand, clock.now())).toBe(true);
      pastTheThreshold();
      await loop.tick();
      await loop.tick();
      expect(await tryOf('solo', runId)).toMatchObject({ state: 'running', try_number: 1, platform_retries: 0 });
    });
  });
});
