import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-port';
import { PrivateRedis } from '../helpers/services/private-redis';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

/** How long Redis is down or frozen: the fault itself, not a wait for something to happen. */
const OUTAGE_MS = 10_000;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The bullmq executor's faults, one after another on one deployment (PostgreSQL, a private
 * redis-server, `dagctl scheduler` and two `dagctl worker`s), each on its own DAG: a worker killed
 * and started again, Redis stopped for 10 s (losing every key), Redis frozen for 10 s.
 */
describe('fault: bullmq worker and Redis', () => {
  jest.setTimeout(400_000);
  let redis: PrivateRedis;
  let cluster: FaultCluster;
  const workload = '2 runs × 6 tasks (3 bash, 3 JS), retries 2';

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    cluster = new FaultCluster({
      database: 'postgres',
      executor: 'bullmq',
      redisUrl: redis.url,
      dags: {
        'worker_kill.ts': workloadDag('worker_kill', plainTasks(3)),
        'redis_stop.ts': workloadDag('redis_stop', plainTasks(3)),
        'redis_freeze.ts': workloadDag('redis_freeze', plainTasks(3)),
      },
    });
    await cluster.setUp();
    await cluster.startWorker(6);
    await cluster.startWorker(6);
    cluster.startScheduler();
    await cluster.waitForDags();
  });

  afterAll(async () => {
    await cluster?.tearDown();
    await redis?.remove();
  });

  const runningOf = (dagId: string, count: number): Promise<void> =>
    eventually(
      () => {
        const n = cluster.runningTries().filter((e) => e.dagId === dagId).length;
        if (n < count) throw new Error(`${n} tries of ${dagId} running`);
      },
      { what: `${count} tries of ${dagId} to run`, timeoutMs: 120_000, intervalMs: 100 },
    );

  it('a worker killed with kill -9 and started again: its tries are retried elsewhere', async () => {
    await cluster.triggerAll(2, ['worker_kill']);
    await runningOf('worker_kill', 6);
    const victim = cluster.workers[0];
    victim.kill('SIGKILL');
    await victim.exited;
    await cluster.startWorker(6);

    await cluster.waitForRunsFinal();
    const figures = await cluster.check(
      {
        scenario: 'kill -9 of a worker (bullmq, PostgreSQL)',
        injected: '1 of 2 workers killed, then restarted',
        workload,
      },
      {},
      ['worker_kill'],
    );
    expect(figures).toMatchObject(CLEAN);
    // The dead worker's tries were lost and run again as later tries.
    expect(cluster.effects().some((e) => e.dagId === 'worker_kill' && e.tryNumber > 1)).toBe(true);
  });

  it('Redis stopped for 10 s (every key lost): the runs still finish', async () => {
    await cluster.triggerAll(2, ['redis_stop']);
    await runningOf('redis_stop', 4);
    await redis.kill();
    await pause(OUTAGE_MS);
    await redis.start();

    await cluster.waitForRunsFinal(240_000);
    const figures = await cluster.check(
      {
        scenario: 'Redis stopped 10 s (bullmq, PostgreSQL)',
        injected: 'private redis-server killed mid-run, restarted empty 10 s later',
        workload,
      },
      {},
      ['redis_stop'],
    );
    expect(figures).toMatchObject(CLEAN);
  });

  it('Redis frozen with SIGSTOP for 10 s: the runs still finish', async () => {
    await cluster.triggerAll(2, ['redis_freeze']);
    await runningOf('redis_freeze', 4);
    redis.signal('SIGSTOP');
    await pause(OUTAGE_MS);
    redis.signal('SIGCONT');

    await cluster.waitForRunsFinal(240_000);
    const figures = await cluster.check(
      {
        scenario: 'Redis frozen 10 s (bullmq, PostgreSQL)',
        injected: 'private redis-server sent SIGSTOP mid-run, SIGCONT 10 s later',
        workload,
      },
      {},
      ['redis_freeze'],
    );
    expect(figures).toMatchObject(CLEAN);
  });
});
