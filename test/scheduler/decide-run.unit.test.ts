import type { SerializedDag, SerializedTask } from '../../src/core/serialized-dag';
import type { TaskStateOrNone, TriggerRule } from '../../src/core/states';
import { decideRun, TiSnapshot } from '../../src/scheduler/decide-run';
import { makeTask as task } from '../helpers/serialized-dags';

function dagOf(tasks: SerializedTask[], extra: Partial<SerializedDag> = {}): SerializedDag {
  for (const t of tasks) t.downstream = tasks.filter((d) => d.upstream.includes(t.taskId)).map((d) => d.taskId);
  return {
    formatVersion: 1,
    dagId: 'd',
    description: null,
    fileloc: '/x.ts',
    schedule: { kind: 'none' },
    scheduleText: null,
    startDate: null,
    endDate: null,
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    dagrunTimeoutMs: null,
    tags: [],
    owner: 'x',
    params: {},
    docMd: null,
    tasks,
    ...extra,
  };
}

function tis(states: Record<string, TaskStateOrNone>, nextTryAt: Date | null = null): Map<string, TiSnapshot> {
  return new Map(Object.entries(states).map(([id, state]) => [id, { state, tryNumber: 1, nextTryAt }]));
}

const now = new Date('2026-03-01T12:00:00Z');

describe('decideRun', () => {
  it('schedules roots and waits for unfinished upstream', () => {
    const dag = dagOf([task('a', []), task('b', ['a'])]);
    const d = decideRun({ dag, tis: tis({ a: null, b: null }), now, runStartDate: now });
    expect(d.changes).toEqual([{ taskIds: ['a'], from: [null], to: 'scheduled', reason: null }]);
    expect(d.finish).toBeNull();
  });

  it('cascades upstream_failed through a chain in one pass and fails the run', () => {
    const dag = dagOf([task('a', []), task('b', ['a']), task('c', ['b'])]);
    const d = decideRun({ dag, tis: tis({ a: 'failed', b: null, c: null }), now, runStartDate: now });
    expect(d.changes.flatMap((c) => c.taskIds)).toEqual(['b', 'c']);
    expect(d.changes.every((c) => c.to === 'upstream_failed')).toBe(true);
    expect(d.finish?.state).toBe('failed');
  });

  it('succeeds EmptyOperator tasks in place and finishes from the leaves', () => {
    const dag = dagOf([
      task('start', [], { operator: 'EmptyOperator' }),
      task('end', ['start'], { operator: 'EmptyOperator' }),
    ]);
    const d = decideRun({ dag, tis: tis({ start: null, end: null }), now, runStartDate: now });
    expect(d.changes[0]).toMatchObject({ taskIds: ['start', 'end'], to: 'success' });
    expect(d.finish).toEqual({ state: 'success', note: null });
  });

  it('does not finish while a non-leaf task still runs, even if a leaf failed', () => {
    const dag = dagOf([task('a', []), task('b', []), task('c', ['b'])]);
    const d = decideRun({ dag, tis: tis({ a: 'failed', b: 'running', c: null }), now, runStartDate: now });
    expect(d.finish).toBeNull();
  });

  it('runs an all_done task after a failure and takes the run state from the leaves', () => {
    const cleanup = task('cleanup', ['a'], { triggerRule: 'all_done' as TriggerRule });
    const dag = dagOf([task('a', []), cleanup]);
    expect(
      decideRun({ dag, tis: tis({ a: 'failed', cleanup: null }), now, runStartDate: now }).changes[0],
    ).toMatchObject({ taskIds: ['cleanup'], to: 'scheduled' });
    expect(
      decideRun({ dag, tis: tis({ a: 'failed', cleanup: 'success' }), now, runStartDate: now }).finish?.state,
    ).toBe('success');
  });

  it('schedules a retry only once its delay has passed and reports when to wake', () => {
    const dag = dagOf([task('a', [])]);
    const later = new Date(now.getTime() + 5000);
    const waiting = decideRun({ dag, tis: tis({ a: 'up_for_retry' }, later), now, runStartDate: now });
    expect(waiting.changes).toEqual([]);
    expect(waiting.wakeAt).toEqual(later);
    const due = decideRun({ dag, tis: tis({ a: 'up_for_retry' }, later), now: later, runStartDate: now });
    expect(due.changes[0]).toMatchObject({ taskIds: ['a'], from: ['up_for_retry'], to: 'scheduled' });
  });

  it('reports task instances to create for tasks added to the DAG and removes vanished ones', () => {
    const dag = dagOf([task('a', []), task('new', [])]);
    const d = decideRun({ dag, tis: tis({ a: 'success', gone: null }), now, runStartDate: now });
    expect(d.missingTaskIds).toEqual(['new']);
    expect(d.changes).toEqual([
      { taskIds: ['gone'], from: [null], to: 'removed', reason: 'task no longer in the DAG' },
    ]);
    expect(d.finish).toBeNull();
  });

  it('holds depends_on_past tasks until the previous run succeeded', () => {
    const dag = dagOf([task('a', [], { dependsOnPast: true })]);
    const blocked = decideRun({
      dag,
      tis: tis({ a: null }),
      now,
      runStartDate: now,
      previousRun: { runId: 'scheduled__2026-02-28', states: new Map([['a', 'failed']]) },
    });
    expect(blocked.changes).toEqual([]);
    expect(blocked.finish).toBeNull();
    const free = decideRun({
      dag,
      tis: tis({ a: null }),
      now,
      runStartDate: now,
      previousRun: { runId: 'scheduled__2026-02-28', states: new Map([['a', 'success']]) },
    });
    expect(free.changes[0].to).toBe('scheduled');
  });

  it('holds each map index of a depends_on_past mapped task on the same map index of the previous run', () => {
    const mapped = { args: [{ name: 'input 1', literal: [1, 2, 3, 4] }] };
    const dag = dagOf([task('m', [], { dependsOnPast: true, mapped })]);
    const instances = [0, 1, 2, 3].map((mapIndex) => ({ mapIndex, state: null, nextTryAt: null }));
    const d = decideRun({
      dag,
      tis: new Map([['m', { state: null, tryNumber: 0, nextTryAt: null, mapped: instances }]]),
      now,
      runStartDate: now,
      previousRun: {
        runId: 'scheduled__2026-02-28',
        states: new Map([['m', 'failed']]),
        // Map index 3 did not exist then: it passes, like a task the previous run did not have.
        mapped: new Map([
          [
            'm',
            new Map<number, TaskStateOrNone>([
              [0, 'success'],
              [1, 'failed'],
              [2, 'skipped'],
            ]),
          ],
        ]),
      },
    });
    expect(d.changes).toEqual([{ taskIds: ['m'], mapIndexes: [0, 2, 3], from: [null], to: 'scheduled', reason: null }]);
    // Waiting on another run is not a deadlock.
    expect(d.finish).toBeNull();
  });

  it('fails a run past its dagrun_timeout and skips every unfinished task, running ones too', () => {
    const dag = dagOf([task('a', []), task('b', ['a'])], { dagrunTimeoutMs: 60_000 });
    const d = decideRun({
      dag,
      tis: tis({ a: 'running', b: null }),
      now,
      runStartDate: new Date(now.getTime() - 61_000),
    });
    expect(d.finish?.state).toBe('failed');
    expect(d.changes).toEqual([
      { taskIds: ['a'], from: ['running'], to: 'skipped', reason: 'dag run timed out' },
      { taskIds: ['b'], from: [null], to: 'skipped', reason: 'dag run timed out' },
    ]);
  });

  it('runs a task whose only upstream task was removed from the DAG', () => {
    const dag = dagOf([task('a', []), task('b', ['a'])]);
    const d = decideRun({ dag, tis: tis({ a: 'removed', b: null }), now, runStartDate: now });
    expect(d.changes).toEqual([{ taskIds: ['b'], from: [null], to: 'scheduled', reason: null }]);
  });
});
