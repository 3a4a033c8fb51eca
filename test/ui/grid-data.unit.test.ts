import { cellsOf, groupStatesOf } from '../../src/web/ui/data/grid-data';
import { countsText, runAxisLabel, runTooltip } from '../../src/web/ui/data/grid-labels';
import { buildGridRows } from '../../src/web/ui/data/grid-rows';
import { barPercents, MIN_BAR_PERCENT, runDurationSeconds } from '../../src/web/ui/data/run-bars';
import { makeTask } from './helpers/ui-fixtures';

const ti = (taskId: string, mapIndex: number, state: string | null, tryNumber = 1, held = false) =>
  ({ taskId, mapIndex, state, tryNumber, held }) as Parameters<typeof cellsOf>[0][number];

describe('grid run bars', () => {
  it('scales bar heights by duration relative to the longest run shown', () => {
    expect(barPercents([10, 20, 40, null])).toEqual([25, 50, 100, MIN_BAR_PERCENT]);
    // a very short run stays visible; no division by zero when nothing has a duration
    expect(barPercents([0.001, 1000])).toEqual([MIN_BAR_PERCENT, 100]);
    expect(barPercents([0, null])).toEqual([MIN_BAR_PERCENT, MIN_BAR_PERCENT]);
  });

  it('measures a running run up to now', () => {
    const start = new Date('2026-03-01T10:00:00Z');
    expect(runDurationSeconds(start, new Date('2026-03-01T10:01:30Z'), new Date('2026-03-02T00:00:00Z'))).toBe(90);
    expect(runDurationSeconds(start, null, new Date('2026-03-01T10:00:05Z'))).toBe(5);
    expect(runDurationSeconds(null, null, start)).toBeNull();
  });

  it('labels the run axis with the logical date and describes the run on hover', () => {
    const run = {
      runId: 'scheduled__2026-03-01T12:00:00+00:00',
      state: 'success',
      runType: 'scheduled',
      logicalDate: '2026-03-01T12:00:00.000Z',
      startDate: '2026-03-01T12:00:01.000Z',
      endDate: '2026-03-01T12:02:01.000Z',
      durationSeconds: 120,
    };
    expect(runAxisLabel(run)).toBe('03-01 12:00');
    expect(runTooltip(run).split('\n')).toEqual([
      'Run: scheduled__2026-03-01T12:00:00+00:00',
      'State: success',
      'Type: scheduled',
      'Logical date: 2026-03-01 12:00:00 UTC',
      'Start: 2026-03-01 12:00:01 UTC',
      'End: 2026-03-01 12:02:01 UTC',
      'Duration: 2m 00s',
    ]);
  });
});

describe('grid cells of mapped tasks', () => {
  it('folds the instances of a mapped task into one cell with counts per state', () => {
    const tis = [
      ...Array.from({ length: 100 }, (_, i) => ti('process', i, 'success')),
      ti('process', 100, 'failed', 2),
      ti('process', 101, 'failed'),
      ti('plain', -1, 'running', 1, true),
    ];
    const cells = cellsOf(tis);
    expect(cells.process).toEqual({
      state: 'failed',
      tryNumber: 2,
      held: false,
      mapped: { total: 102, counts: { success: 100, failed: 2 }, text: '100 ✓ / 2 ✗' },
    });
    expect(cells.plain).toEqual({ state: 'running', tryNumber: 1, held: true });
  });

  it('shows a mapped task not expanded yet by its single map index -1 instance', () => {
    expect(cellsOf([ti('later', -1, null, 0)]).later).toEqual({ state: null, tryNumber: 0, held: false });
  });

  it('writes counts most numerous first, other states by name', () => {
    expect(countsText({ running: 3, success: 7, up_for_retry: 1, none: 1 })).toBe(
      '7 ✓ / 3 running / 1 none / 1 up for retry',
    );
  });
});

describe('grid rows of task groups', () => {
  const tasks = () => [
    makeTask('start'),
    makeTask('extract.a', { taskGroup: 'extract' }),
    makeTask('extract.inner.deep', { taskGroup: 'extract.inner', mapped: { args: [{ name: 'x', literal: [1, 2] }] } }),
    makeTask('extract.b', { taskGroup: 'extract' }),
    makeTask('create_cluster', { isSetup: true }),
    makeTask('end', { isTeardown: true }),
  ];

  it('puts each group before its tasks and nested groups, at its first task', () => {
    const rows = buildGridRows(tasks());
    expect(rows.map((r) => [r.kind, r.id, r.label, r.depth, r.parent])).toEqual([
      ['task', 'start', 'start', 0, null],
      ['group', 'extract', 'extract', 0, null],
      ['task', 'extract.a', 'a', 1, 'extract'],
      ['group', 'extract.inner', 'inner', 1, 'extract'],
      ['task', 'extract.inner.deep', 'deep', 2, 'extract.inner'],
      ['task', 'extract.b', 'b', 1, 'extract'],
      ['task', 'create_cluster', 'create_cluster', 0, null],
      ['task', 'end', 'end', 0, null],
    ]);
    expect(rows.find((r) => r.id === 'extract.inner.deep')?.mapped).toBe(true);
    expect(rows.find((r) => r.id === 'create_cluster')?.setup).toBe(true);
    expect(rows.find((r) => r.id === 'end')?.teardown).toBe(true);
  });

  it("gives each group the most urgent state of its tasks, nested groups' included", () => {
    const rows = buildGridRows(tasks());
    const cells = cellsOf([
      ti('extract.a', -1, 'success'),
      ti('extract.b', -1, 'success'),
      ti('extract.inner.deep', 0, 'success'),
      ti('extract.inner.deep', 1, 'failed'),
    ]);
    expect(groupStatesOf(rows, cells)).toEqual({ extract: { state: 'failed' }, 'extract.inner': { state: 'failed' } });
    const allDone = cellsOf([
      ti('extract.a', -1, 'success'),
      ti('extract.b', -1, 'success'),
      ti('extract.inner.deep', 0, 'success'),
    ]);
    expect(groupStatesOf(rows, allDone).extract).toEqual({ state: 'success' });
  });
});
