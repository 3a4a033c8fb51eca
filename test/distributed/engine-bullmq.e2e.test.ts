import { execSql } from '../../src/db/sql';
import { closeRemoteLogReaders } from '../../src/executors/bullmq/remote-log';
import { runEngineSuite } from '../helpers/engine-suite/engine-suite';
import { DagctlProcess, startWorkerProcess } from './helpers/dagctl-process';
import { bullmqEnv } from './helpers/distributed-env';
import { deleteRedisPrefixes, uniqueRedisPrefix } from '../helpers/test-redis';

/** The engine suite of the core tier, with the bullmq executor and two worker processes on PostgreSQL. */
describe('scheduler engine on postgres with the bullmq executor and two workers', () => {
  jest.setTimeout(240_000);
  const prefix = uniqueRedisPrefix('engine');
  const workers: DagctlProcess[] = [];

  runEngineSuite({
    kind: 'postgres',
    env: bullmqEnv(prefix),
    scenarios: ['engine', 'once', 'pooled', 'failing', 'timeouts'],
    services: {
      async start(home) {
        workers.push(
          await startWorkerProcess(home.env, { concurrency: 3 }),
          await startWorkerProcess(home.env, { concurrency: 3 }),
        );
      },
      async stop() {
        await Promise.all(workers.map((w) => w.stop()));
        await closeRemoteLogReaders();
        await deleteRedisPrefixes([prefix]);
      },
    },
    async checkEngineRun({ ctx }, runId) {
      // Both workers took part.
      const { records: hosts } = await execSql<{ pid: number }>(
        ctx.dataSource,
        "SELECT DISTINCT pid FROM task_instance WHERE dag_id = 'engine' AND run_id = ? AND pid IS NOT NULL",
        [runId],
      );
      expect(hosts.length).toBeGreaterThan(1);
    },
  });
});
