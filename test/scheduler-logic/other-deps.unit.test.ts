import { dagRunRunningDep } from '../../src/scheduler/deps/dag-run-running-dep';
import { notInRetryPeriodDep } from '../../src/scheduler/deps/not-in-retry-period-dep';
import { prevDagrunDep } from '../../src/scheduler/deps/prev-dagrun-dep';
import { FakeClock } from '../../src/core/clock';

describe('notInRetryPeriodDep', () => {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const nextTryAt = new Date('2026-01-01T00:05:00Z');

  test('fails while the retry delay has not passed', () => {
    const status = notInRetryPeriodDep({ state: 'up_for_retry', nextTryAt, now: clock.now() });
    expect(status).toEqual({ passed: false, reason: 'task is in retry period until 2026-01-01T00:05:00.000Z' });
  });

  test('a rescheduled sensor waits the same way', () => {
    const status = notInRetryPeriodDep({ state: 'up_for_reschedule', nextTryAt, now: clock.now() });
    expect(status.passed).toBe(false);
    expect(status.reason).toContain('in retry period until 2026-01-01T00:05:00.000Z');
  });

  test('passes once the clock reaches the next try', () => {
    const local = new FakeClock('2026-01-01T00:00:00Z');
    local.advance('4m');
    expect(notInRetryPeriodDep({ state: 'up_for_retry', nextTryAt, now: local.now() }).passed).toBe(false);
    local.advance('1m');
    expect(notInRetryPeriodDep({ state: 'up_for_retry', nextTryAt, now: local.now() }).passed).toBe(true);
  });

  test.each(['scheduled', 'queued', null, 'success'] as const)('passes for state %s', (state) => {
    expect(notInRetryPeriodDep({ state, nextTryAt, now: clock.now() }).passed).toBe(true);
  });

  test('passes when no next try time is recorded', () => {
    expect(notInRetryPeriodDep({ state: 'up_for_retry', nextTryAt: null, now: clock.now() }).passed).toBe(true);
  });
});

describe('prevDagrunDep', () => {
  test('passes without depends_on_past whatever happened before', () => {
    expect(prevDagrunDep({ dependsOnPast: false, previous: { runId: 'r1', state: 'failed' } }).passed).toBe(true);
  });

  test('passes for the first run of the task', () => {
    expect(prevDagrunDep({ dependsOnPast: true, previous: null }).passed).toBe(true);
  });

  test.each(['success', 'skipped'] as const)('passes when the previous instance is %s', (state) => {
    expect(prevDagrunDep({ dependsOnPast: true, previous: { runId: 'r1', state } }).passed).toBe(true);
  });

  test.each(['failed', 'upstream_failed', 'running', 'up_for_retry', null] as const)(
    'fails when the previous instance is %s',
    (state) => {
      const status = prevDagrunDep({ dependsOnPast: true, previous: { runId: 'scheduled__2026-01-01', state } });
      expect(status.passed).toBe(false);
      expect(status.reason).toContain('scheduled__2026-01-01');
      expect(status.reason).toContain(state ?? 'not started');
    },
  );
});

describe('dagRunRunningDep', () => {
  test('passes only for a running run', () => {
    expect(dagRunRunningDep('running')).toEqual({ passed: true, reason: 'the DAG run is running' });
    for (const state of ['queued', 'success', 'failed'] as const) {
      expect(dagRunRunningDep(state)).toEqual({ passed: false, reason: `the DAG run is ${state}, not running` });
    }
  });
});
