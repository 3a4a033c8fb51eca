/**
 * What a hand run's heartbeat thread (hand-run-heartbeat-main.ts, a `worker_threads` Worker) is
 * given and says. The main thread sends only `stop`.
 */
export interface HeartbeatThreadData {
  /** `database.url`: the thread opens its own connection (one; a thread cannot share the main one). */
  databaseUrl: string;
  /** The hand run's LocalTaskJob row. */
  jobId: number;
  intervalMs: number;
}

export type HeartbeatThreadMessage =
  /** Its connection is open and the first beat is scheduled. */
  | { type: 'ready' }
  /** One beat failed (the next one is tried as usual): for the main thread to log. */
  | { type: 'beat-failed'; message: string }
  /** It could not open its connection and ends: the main thread beats instead. */
  | { type: 'failed'; message: string }
  /** After `stop`: no beat is under way any more and its connection is closed. */
  | { type: 'stopped' };

export type HeartbeatThreadCommand = { type: 'stop' };
