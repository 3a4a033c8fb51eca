import { errorMessage } from '../../core/errors';
import type { Logger } from '../../logging/logger';
import { redactRedisUrl } from './redis-options';

interface ErrorSource {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Turns the stream of connection errors every Redis client and BullMQ object emits while Redis is
 * unreachable into one line when the outage starts and one when it ends — never a crash (an
 * unhandled 'error' event would kill the process) and never a flood.
 */
export class RedisOutageReporter {
  private down = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  watch(source: ErrorSource): void {
    source.on('error', (err) => this.failed(err));
  }

  failed(err: Error): void {
    if (!isConnectionError(err)) {
      // Not an outage (e.g. a job whose keys vanished in a Redis restart): say what it was.
      this.log.warn(`${this.what}: ${(err?.message ?? String(err)).split('\n')[0]}`);
      return;
    }
    if (this.down) return;
    this.down = true;
    const reason = (err?.message ?? String(err)).split('\n')[0];
    this.log.error(`${this.what} cannot reach Redis at ${redactRedisUrl(this.url)}: ${reason}; retrying with backoff`);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info(`${this.what} reached Redis at ${redactRedisUrl(this.url)} again`);
  }

  get isDown(): boolean {
    return this.down;
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

const CONNECTION_MESSAGES = new RegExp(
  [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'Connection is closed',
    'connect ETIMEDOUT',
    "Stream isn't writeable",
    'LOADING',
  ].join('|'),
  'i',
);

/** True for errors that mean Redis cannot be reached (as opposed to a failed command). */
export function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.test(errorMessage(err));
}
