import type IORedis from 'ioredis';
import { stopChannel, stopRequestKey } from './bullmq-keys';

/** A stop request outlives any try that could still be waiting for a worker. */
const STOP_REQUEST_TTL_MS = 24 * 3600 * 1000;

export interface StopRequest {
  jobId: string;
  reason: string;
}

/**
 * Ask whichever worker runs (or will take) the try of `jobId` to stop it: a key the worker checks
 * when it starts the try, and a message for the worker already running it.
 */
export async function requestStop(redis: IORedis, prefix: string, request: StopRequest): Promise<void> {
  await redis
    .multi()
    .set(stopRequestKey(prefix, request.jobId), request.reason, 'PX', STOP_REQUEST_TTL_MS)
    .publish(stopChannel(prefix), JSON.stringify(request))
    .exec();
}

/** The reason a stop was requested for this try, or null. */
export async function stopRequested(redis: IORedis, prefix: string, jobId: string): Promise<string | null> {
  return redis.get(stopRequestKey(prefix, jobId));
}

/** Listen for stop requests on a connection of its own (a subscribed connection runs no commands). */
export async function watchStopRequests(
  subscriber: IORedis,
  prefix: string,
  onStop: (request: StopRequest) => void,
): Promise<void> {
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== stopChannel(prefix)) return;
    try {
      const request = JSON.parse(text) as Partial<StopRequest>;
      if (typeof request.jobId === 'string' && typeof request.reason === 'string')
        onStop({ jobId: request.jobId, reason: request.reason });
    } catch {
      // not ours: ignore
    }
  });
  await subscriber.subscribe(stopChannel(prefix));
}
