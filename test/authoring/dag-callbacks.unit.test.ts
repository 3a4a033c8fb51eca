import { DeadlineReference } from '../../src/authoring/dag-callbacks';
import { DAG } from '../../src/authoring/dag';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { deadlineFor } from '../../src/core/deadline-time';
import { lateSeconds } from '../../src/scheduler/start-queued-runs';

describe('DAG callbacks and deadline alerts (authoring)', () => {
  it('serializes which callbacks exist and the deadline, without the functions', () => {
    const dag = new DAG('cbs', {
      onFailureCallback: () => undefined,
      deadline: { reference: DeadlineReference.DAGRUN_LOGICAL_DATE, interval: '90m', callback: () => undefined },
    });
    const serialized = serializeDag(dag);
    expect(serialized.callbacks).toEqual({ onSuccess: false, onFailure: true });
    expect(serialized.deadline).toEqual({
      reference: 'dagrun_logical_date',
      fixedDate: null,
      intervalMs: 90 * 60_000,
      hasCallback: true,
    });
  });

  it('leaves a DAG without callbacks or deadline serialized as before (same hash)', () => {
    const serialized = serializeDag(new DAG('plain'));
    expect('callbacks' in serialized).toBe(false);
    expect('deadline' in serialized).toBe(false);
  });

  it('computes deadlines from each reference', () => {
    const run = { logicalDate: new Date('2026-03-01T00:00:00Z'), queuedAt: new Date('2026-03-01T05:00:00Z') };
    const hour = 3_600_000;
    const at = (reference: 'dagrun_logical_date' | 'dagrun_queued_at' | 'fixed_datetime', fixedDate: string | null) =>
      deadlineFor({ reference, fixedDate, intervalMs: hour, hasCallback: false }, run)?.toISOString();
    expect(at('dagrun_logical_date', null)).toBe('2026-03-01T01:00:00.000Z');
    expect(at('dagrun_queued_at', null)).toBe('2026-03-01T06:00:00.000Z');
    expect(at('fixed_datetime', '2026-04-01T00:00:00.000Z')).toBe('2026-04-01T01:00:00.000Z');
    const fixed = new DAG('fixed', {
      deadline: { reference: DeadlineReference.fixedDatetime('2026-04-01T00:00:00Z'), interval: 0 },
    });
    expect(fixed.deadline?.serialized).toMatchObject({
      reference: 'fixed_datetime',
      fixedDate: '2026-04-01T00:00:00.000Z',
    });
  });

  it('refuses a bad deadline or callback with one message naming the DAG and option', () => {
    expect(() => new DAG('d1', { deadline: { reference: { kind: 'nope' } as never, interval: '1h' } })).toThrow(
      /DAG 'd1': deadline 'reference' must be/,
    );
    expect(
      () => new DAG('d2', { deadline: { reference: DeadlineReference.DAGRUN_QUEUED_AT, interval: 'soon' } }),
    ).toThrow(/DAG 'd2': deadline interval: cannot parse 'soon'/);
    expect(() => new DAG('d3', { onSuccessCallback: 'x' as never })).toThrow(
      /DAG 'd3': option 'onSuccessCallback' must be a function/,
    );
  });

  it('flags only scheduled runs that start past the late threshold', () => {
    const now = new Date('2026-03-01T02:00:00Z');
    const run = (runType: string, end: string | null) => ({ run_type: runType, data_interval_end: end });
    expect(lateSeconds(run('scheduled', '2026-03-01T01:00:00Z'), now, 60_000)).toBe(3600);
    expect(lateSeconds(run('scheduled', '2026-03-01T01:59:30Z'), now, 60_000)).toBeNull();
    expect(lateSeconds(run('manual', '2026-03-01T01:00:00Z'), now, 60_000)).toBeNull();
    expect(lateSeconds(run('scheduled', null), now, 60_000)).toBeNull();
  });
});
