import {
  decideReconcile,
  JobProbe,
  ReconcileFacts,
  STALLED_REASON,
  DUPLICATE_DELIVERY,
} from '../../src/executors/bullmq/reconcile-decision';

const job = (overrides: Partial<JobProbe> = {}): JobProbe => ({
  state: 'completed',
  failedReason: null,
  result: null,
  stalledCount: 0,
  claimed: false,
  finishedAgoMs: 60_000,
  ...overrides,
});
const facts = (overrides: Partial<ReconcileFacts> = {}): ReconcileFacts => ({
  tiState: 'running',
  queue: 'default',
  queuedForMs: 1000,
  unaccountedForMs: 0,
  queuedTimeoutMs: 600_000,
  graceMs: 15_000,
  ...overrides,
});

describe('decideReconcile', () => {
  it('replays the outcome of a completed job whose result event went missing, once it is settled', () => {
    const outcome = { state: 'success' as const, xcoms: { return_value: 1 } };
    expect(decideReconcile(job({ result: { kind: 'finished', outcome } }), facts())).toEqual({
      kind: 'finished',
      outcome,
    });
    expect(decideReconcile(job({ result: { kind: 'finished', outcome }, finishedAgoMs: 100 }), facts())).toEqual({
      kind: 'none',
    });
    expect(
      decideReconcile(job({ result: { kind: 'lost', reason: 'task process 7 was killed by SIGKILL' } }), facts()),
    ).toEqual({ kind: 'lost', reason: 'task process 7 was killed by SIGKILL', removeJob: false });
  });

  it('replays the outcome kept in a failed job (a failed try) as it does a completed one', () => {
    const outcome = { state: 'failed' as const, reason: 'task boom' };
    const failed = { state: 'failed', failedReason: 'task boom' };
    expect(decideReconcile(job({ ...failed, result: { kind: 'finished', outcome } }), facts())).toEqual({
      kind: 'finished',
      outcome,
    });
    expect(
      decideReconcile(job({ ...failed, result: { kind: 'finished', outcome }, finishedAgoMs: 100 }), facts()),
    ).toEqual({ kind: 'none' });
    expect(
      decideReconcile(job({ ...failed, failedReason: 'killed', result: { kind: 'lost', reason: 'killed' } }), facts()),
    ).toEqual({ kind: 'lost', reason: 'killed', removeJob: false });
  });

  it('reports a stalled (dead worker) job as lost, explaining why', () => {
    expect(decideReconcile(job({ state: 'failed', failedReason: STALLED_REASON }), facts())).toEqual({
      kind: 'lost',
      reason: 'the worker running it stopped responding (died or lost Redis)',
      removeJob: false,
    });
    expect(decideReconcile(job({ state: 'waiting', stalledCount: 1, finishedAgoMs: null }), facts())).toMatchObject({
      kind: 'lost',
      removeJob: true,
      reason: expect.stringMatching(/stalled/),
    });
  });

  it('leaves a duplicate delivery alone while the original try is claimed by a live worker', () => {
    const duplicate = job({ state: 'failed', failedReason: `${DUPLICATE_DELIVERY}: x was already taken by worker w` });
    expect(decideReconcile({ ...duplicate, claimed: true }, facts())).toEqual({ kind: 'none' });
    expect(decideReconcile(duplicate, facts())).toMatchObject({ kind: 'lost' });
  });

  it('declares an active job lost only when no live worker has claimed it for longer than the grace', () => {
    const active = job({ state: 'active', finishedAgoMs: null });
    expect(decideReconcile({ ...active, claimed: true }, facts({ unaccountedForMs: 60_000 }))).toEqual({
      kind: 'none',
    });
    expect(decideReconcile(active, facts({ unaccountedForMs: 5000 }))).toEqual({ kind: 'none' });
    expect(decideReconcile(active, facts({ unaccountedForMs: 20_000 }))).toEqual({
      kind: 'lost',
      reason: 'no live worker holds it (the worker is gone)',
      removeJob: true,
    });
  });

  it('re-sends a queued try whose job vanished (Redis lost it) and fails a running one nobody reports', () => {
    const missing = job({ state: 'unknown', finishedAgoMs: null });
    expect(decideReconcile(missing, facts({ tiState: 'queued', unaccountedForMs: 1000 }))).toEqual({ kind: 'none' });
    expect(decideReconcile(missing, facts({ tiState: 'queued', unaccountedForMs: 16_000 }))).toEqual({
      kind: 'resend',
    });
    expect(
      decideReconcile({ ...missing, claimed: true }, facts({ tiState: 'running', unaccountedForMs: 60_000 })),
    ).toEqual({ kind: 'none' });
    expect(decideReconcile(missing, facts({ tiState: 'running', unaccountedForMs: 60_000 }))).toMatchObject({
      kind: 'lost',
      reason: expect.stringMatching(/vanished/),
    });
  });

  it('applies task_queued_timeout to a try no worker takes', () => {
    const waiting = job({ state: 'prioritized', finishedAgoMs: null });
    expect(decideReconcile(waiting, facts({ tiState: 'queued', queuedForMs: 599_000 }))).toEqual({ kind: 'none' });
    expect(decideReconcile(waiting, facts({ tiState: 'queued', queuedForMs: 600_000, queue: 'heavy' }))).toEqual({
      kind: 'lost',
      reason: "stuck in queued for 10m: no worker took it from queue 'heavy'",
      removeJob: true,
    });
  });
});
