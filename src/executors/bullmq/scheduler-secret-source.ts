import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { requestingVariableSource } from '../../runner/secret-lookup';
import type { SecretLookup } from '../../runner/task-process-protocol';
import type { VariableSource } from '../../runner/variable-source';
import { secretReplyKey, secretRequestsKey } from './bullmq-keys';
import type { SecretReply } from './secret-request';

function describe(lookup: SecretLookup): string {
  switch (lookup.kind) {
    case 'connection':
      return `connection '${lookup.connId}'`;
    case 'variable':
      return `variable '${lookup.key}'`;
    case 'all-variables':
      return 'variables';
    case 'external-run':
      return `a run of DAG '${lookup.query.dagId}'`;
    case 'trigger-dag-run':
      return `a new run of DAG '${lookup.request.dagId}'`;
    case 'prev-success':
      return `the previous successful run of DAG '${lookup.key.dagId}'`;
  }
}

/**
 * Variables and connections for the tasks of a bullmq worker, which holds no database
 * credentials: each lookup is pushed to a Redis list that the schedulers serve from the metadata
 * database (SecretRequestServer), and the answer read from a one-shot reply key. Lookups are
 * lazy (what a try reads, once per try), so a worker never holds more secrets than its tasks use.
 */
export function schedulerVariableSource(options: {
  redis: IORedis;
  prefix: string;
  workerId: string;
  /** How long to wait for a scheduler to answer (default 15 s). */
  timeoutMs?: number;
}): VariableSource {
  const timeoutSeconds = Math.max(1, Math.ceil((options.timeoutMs ?? 15_000) / 1000));
  return requestingVariableSource(async (lookup) => {
    const id = randomUUID();
    // BLPOP blocks its connection: each lookup waits on its own short-lived one.
    const waiter = options.redis.duplicate();
    try {
      await options.redis.rpush(
        secretRequestsKey(options.prefix),
        JSON.stringify({ id, lookup, from: options.workerId }),
      );
      const popped = await waiter.blpop(secretReplyKey(options.prefix, id), timeoutSeconds);
      if (!popped)
        throw new Error(
          `no scheduler answered the request for ${describe(lookup)} within ${timeoutSeconds}s ` +
            '(schedulers with the bullmq executor serve variables and connections to workers)',
        );
      const reply = JSON.parse(popped[1]) as SecretReply;
      if ('error' in reply) throw new Error(reply.error);
      return reply.value ?? null;
    } finally {
      waiter.disconnect();
    }
  });
}
