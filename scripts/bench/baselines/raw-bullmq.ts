import type { Job, Queue as QueueT, Worker as WorkerT } from 'bullmq';
import { deleteRedisKeys, REDIS_URL } from '../bench-home';
import { requireDependency } from '../engine';
import { guardVariant } from '../guard-variant';
import { Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { percentile } from '../stats';
import { sleep } from '../wait-until';

const CONCURRENCY = 100;

function connection(): Record<string, unknown> {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

/** Resolve when `count` jobs completed on the worker, or reject after `timeoutMs`. */
function completions(worker: WorkerT, count: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const timer = setTimeout(
      () => reject(new Error(`only ${done} of ${count} jobs completed in ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const onCompleted = (): void => {
      done += 1;
      if (done === count) {
        clearTimeout(timer);
        worker.off('completed', onCompleted);
        resolve();
      }
    };
    worker.on('completed', onCompleted);
  });
}

/**
 * Raw BullMQ on the same Redis: (1) N no-op jobs added with addBulk, then a no-op Worker
 * (concurrency 100, completed jobs removed) drains them: jobs/s from worker start to the last
 * completion; (2) one job at a time: add → completed event on the worker, p50 round trip.
 */
export const rawBullmq: Scenario = {
  name: 'baseline-bullmq',
  kind: 'baseline',
  async run(bench: BenchContext): Promise<Figure[]> {
    const { bullmqJobs, bullmqRoundTrips } = bench.sizes;
    const base = { scenario: 'baseline: raw BullMQ', executor: '-', database: '-', target: null } as const;
    const drainSpec: FigureSpec = {
      ...base,
      metric: `no-op worker draining bulk-added jobs (concurrency ${CONCURRENCY})`,
      unit: 'jobs/s',
      size: `${bullmqJobs} jobs`,
    };
    const rttSpec: FigureSpec = {
      ...base,
      metric: 'one job at a time: add → completed, p50',
      unit: 'ms',
      size: `${bullmqRoundTrips} jobs`,
    };
    const figures = await guardVariant(bench, [drainSpec, rttSpec], async () => {
      const { Queue, Worker } = requireDependency<typeof import('bullmq')>('bullmq');
      const prefix = `dagctl_bench_raw_${process.pid}_${Date.now().toString(36)}`;
      const drains: number[] = [];
      const rtts: number[] = [];
      let queue: QueueT | null = null;
      const workers: WorkerT[] = [];
      try {
        queue = new Queue('raw', {
          connection: connection(),
          prefix,
          defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
        });
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          for (let i = 0; i < bullmqJobs; i += 1000) {
            await queue.addBulk(
              Array.from({ length: Math.min(1000, bullmqJobs - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })),
            );
          }
          const worker = new Worker('raw', async () => undefined, {
            connection: connection(),
            prefix,
            concurrency: CONCURRENCY,
            autorun: false,
          });
          workers.push(worker);
          const done = completions(worker, bullmqJobs, 300_000);
          const started = performance.now();
          void worker.run();
          await done;
          drains.push(bullmqJobs / ((performance.now() - started) / 1000));
          await worker.close();
        }
        const worker = new Worker('raw', async () => undefined, { connection: connection(), prefix, concurrency: 1 });
        workers.push(worker);
        await worker.waitUntilReady();
        await sleep(200);
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const times: number[] = [];
          for (let i = 0; i < bullmqRoundTrips; i += 1) {
            const started = performance.now();
            const finished = new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('a round-trip job did not complete in 30 s')), 30_000);
              const onCompleted = (job: Job): void => {
                if ((job.data as { rt?: number } | undefined)?.rt !== i) return;
                clearTimeout(timer);
                worker.off('completed', onCompleted);
                resolve();
              };
              worker.on('completed', onCompleted);
            });
            await queue.add('rt', { rt: i });
            await finished;
            times.push(performance.now() - started);
          }
          rtts.push(percentile(times, 50));
        }
      } finally {
        for (const w of workers) await w.close().catch(() => undefined);
        await queue?.obliterate({ force: true }).catch(() => undefined);
        await queue?.close().catch(() => undefined);
        await deleteRedisKeys(prefix).catch(() => undefined);
      }
      return [measured(drainSpec, drains), measured(rttSpec, rtts)];
    });
    const drain = figures.find((f) => f.unit === 'jobs/s');
    if (drain?.median) bench.baselines.bullmqDrainPerSec = drain.median;
    return figures;
  },
};
