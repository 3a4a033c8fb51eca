import fs from 'node:fs';
import type IORedis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
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

  constructor(
    private readonly redis: IORedis,
    prefix: string,
    jobId: string,
    private readonly file: string,
  ) {
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

  /**
   * Ship everything left and mark the log complete, all with the last chunk: one round trip.
   * `alongside` adds commands to that last MULTI (the try's result: the log is complete in Redis
   * before anyone reads the result). Resolves true when that MULTI went through.
   */
  async finish(alongside?: (multi: ChainableCommander) => void): Promise<boolean> {
    let done = false;
    await this.enqueue(async () => {
      const last = this.redis.multi();
      alongside?.(last);
      if (!(await this.ship(true, last)))
        await last.expire(this.key, REMOTE_LOG_TTL_SECONDS).set(this.doneKey, '1', 'EX', REMOTE_LOG_TTL_SECONDS).exec();
      done = true;
    });
    return done;
  }

  private enqueue(step: () => Promise<unknown>): Promise<void> {
    // Steps run one at a time, in order; a failed step (Redis down) does not stop later ones.
    this.shipping = this.shipping
      .then(step, step)
      .then(() => undefined)
      .catch(() => undefined);
    return this.shipping;
  }

  /**
   * Ship what was written since the last call (complete lines only unless `all`). With `all`,
   * the chunk that reaches the end of the file also marks the log complete: returns true then.
   */
  private async ship(all: boolean, last?: ChainableCommander): Promise<boolean> {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return false; // not written yet
    }
    try {
      for (;;) {
        const size = fs.fstatSync(fd).size;
        const want = Math.min(READ_CHUNK, size - this.offset);
        if (want <= 0) return false;
        const buffer = Buffer.allocUnsafe(want);
        const read = fs.readSync(fd, buffer, 0, want, this.offset);
        if (read <= 0) return false;
        let end = read;
        if (!all) {
          const lastNewline = buffer.subarray(0, read).lastIndexOf(0x0a);
          if (lastNewline < 0) return false;
          end = lastNewline + 1;
        }
        const complete = all && this.offset + end >= size;
        const multi = (complete && last ? last : this.redis.multi())
          .append(this.key, buffer.subarray(0, end))
          .expire(this.key, REMOTE_LOG_TTL_SECONDS);
        if (complete) multi.set(this.doneKey, '1', 'EX', REMOTE_LOG_TTL_SECONDS);
        await multi.exec();
        this.offset += end;
        if (complete) return true;
        if (end < read) return false; // the rest is an unfinished line
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
