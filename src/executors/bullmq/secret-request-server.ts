import type { DataSource } from 'typeorm';
import type IORedis from 'ioredis';
import { errorMessage } from '../../core/errors';
import { getLogger } from '../../logging/logger';
import { lookUpSecret } from '../../runner/secret-lookup';
import { DatabaseVariableSource } from '../../runner/variable-source';
import { secretReplyKey, secretRequestsKey } from './bullmq-keys';
import { isSecretRequest, SecretReply } from './secret-request';

const log = getLogger('executor');
/** A reply nobody reads (its worker gave up) disappears after this long. */
const REPLY_TTL_SECONDS = 60;

/**
 * The scheduler side of schedulerVariableSource(): pops worker lookups from Redis and answers
 * each from the metadata database. Every scheduler with the bullmq executor runs one; Redis hands
 * each request to exactly one of them.
 */
export class SecretRequestServer {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly source: DatabaseVariableSource;

  constructor(
    private readonly blocking: IORedis,
    private readonly commands: IORedis,
    private readonly prefix: string,
    dataSource: DataSource,
  ) {
    this.source = new DatabaseVariableSource(async () => dataSource);
  }

  start(): void {
    this.loop ??= this.serve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop?.catch(() => undefined);
  }

  private async serve(): Promise<void> {
    while (!this.stopped) {
      let popped: [string, string] | null;
      try {
        popped = await this.blocking.blpop(secretRequestsKey(this.prefix), 1);
      } catch (err) {
        if (this.stopped) return;
        log.warn(`cannot read variable/connection requests from workers: ${errorMessage(err)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (popped) void this.answer(popped[1]);
    }
  }

  private async answer(text: string): Promise<void> {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      request = null;
    }
    if (!isSecretRequest(request)) {
      log.warn('dropping an unreadable variable/connection request from a worker');
      return;
    }
    let reply: SecretReply;
    try {
      reply = { value: await lookUpSecret(this.source, request.lookup) };
    } catch (err) {
      reply = { error: errorMessage(err) };
    }
    const key = secretReplyKey(this.prefix, request.id);
    try {
      await this.commands.multi().rpush(key, JSON.stringify(reply)).expire(key, REPLY_TTL_SECONDS).exec();
    } catch (err) {
      log.warn(`cannot answer worker ${request.from}: ${errorMessage(err)}`);
    }
  }
}
