import fs from 'node:fs';
import type IORedis from 'ioredis';
import { remoteLogDoneKey, remoteLogKey } from './bullmq-keys';

/** Remote logs are kept this long after their last write (the scheduler copies them at once). */
export const REMOTE_LOG_TTL_SECONDS = 24 * 3600;
const READ_CHUNK = 1024 * 1024;

/**
 * Ships one try's log file, as the task process writes it on the worker, to a Redis string the
 * web server can read while the try runs. Only whole lines are shipped until the try ends, so
 * every shipped chunk is valid UTF-8.
 */
export class RemoteLogShipper {
  private offset = 0;
  private shipping: Promise<void> = Promise.resolve();
  private readonly key: string;
  private readonly doneKey: string;

  constructor(private readonly redis: IORedis, prefix: string, jobId: string, private readonly file: string) {
    this.key = remoteLogKey(prefix, jobId);
    this.doneKey = remoteLogDoneKey(prefix, jobId);
  }

  /** Append a line written by the worker itself (e.g. why a try could not start). */
  note(line: string): Promise<void> {
    return this.enqueue(async () => {
      await this.redis.multi().append(this.key, `${line}\n`).expire(this.key, REMOTE_LOG_TTL_SECONDS).exec();
    });
  }

  /** Ship the complete lines written since the last call. */
  tick(): Promise<void> {
    return this.enqueue(() => this.ship(false));
  }

  /** Ship everything left and mark the log complete. */
  finish(): Promise<void> {
    return this.enqueue(async () => {
      await this.ship(true);
      await this.redis.multi().expire(this.key, REMOTE_LOG_TTL_SECONDS).set(this.doneKey, '1', 'EX', REMOTE_LOG_TTL_SECONDS).exec();
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    // Steps run one at a time, in order; a failed step (Redis down) does not stop later ones.
    this.shipping = this.shipping.then(step, step).catch(() => undefined);
    return this.shipping;
  }

  private async ship(all: boolean): Promise<void> {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return; // not written yet
    }
    try {
      for (;;) {
        const buffer = Buffer.alloc(READ_CHUNK);
        const read = fs.readSync(fd, buffer, 0, READ_CHUNK, this.offset);
        if (read <= 0) return;
        let end = read;
        if (!all) {
          const lastNewline = buffer.subarray(0, read).lastIndexOf(0x0a);
          if (lastNewline < 0) return;
          end = lastNewline + 1;
        }
        await this.redis.multi().append(this.key, buffer.subarray(0, end)).expire(this.key, REMOTE_LOG_TTL_SECONDS).exec();
        this.offset += end;
        if (read < READ_CHUNK && end === read) return;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
