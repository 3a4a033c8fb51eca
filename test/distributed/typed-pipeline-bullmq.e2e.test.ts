import { closeRemoteLogReaders } from '../../src/executors/bullmq/remote-log';
import { runTypedPipelineSuite } from '../authoring/typed/helpers/typed-pipeline-suite';
import { deleteRedisPrefixes, uniqueRedisPrefix } from '../helpers/test-redis';
import { DagctlProcess, startWorkerProcess } from './helpers/dagctl-process';
import { bullmqEnv } from './helpers/distributed-env';

jest.setTimeout(240_000);

/** The typed pipeline with the bullmq executor: a worker process pulls each typed input from the database. */
describe('typed pipeline on postgres with the bullmq executor and a worker', () => {
  const prefix = uniqueRedisPrefix('typed');
  let worker: DagctlProcess | null = null;

  runTypedPipelineSuite({
    kind: 'postgres',
    env: bullmqEnv(prefix),
    services: {
      async start(home) {
        worker = await startWorkerProcess(home.env, { concurrency: 2 });
      },
      async stop() {
        await worker?.stop();
        await closeRemoteLogReaders();
        await deleteRedisPrefixes([prefix]);
      },
    },
  });
});
