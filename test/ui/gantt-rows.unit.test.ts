import { ganttRows } from '../../src/web/ui/data/gantt-rows';

const at = (time: string) => new Date(`2026-02-28T${time}Z`);

describe('gantt rows', () => {
  it('folds a mapped task into one row from its first start to its last end, in its worst state', () => {
    const rows = ganttRows(
      [{ taskId: 'extract' }, { taskId: 'process' }, { taskId: 'publish' }],
      [
        { taskId: 'extract', state: 'success', tryNumber: 1, startDate: at('10:00:00'), endDate: at('10:01:00') },
        { taskId: 'process', state: 'success', tryNumber: 1, startDate: at('10:01:00'), endDate: at('10:02:00') },
        { taskId: 'process', state: 'failed', tryNumber: 2, startDate: at('10:01:30'), endDate: at('10:03:00') },
        { taskId: 'process', state: 'success', tryNumber: 1, startDate: at('10:02:00'), endDate: at('10:04:00') },
      ],
    );
    expect(rows).toEqual([
      { taskId: 'extract', state: 'success', tryNumber: 1, startDate: at('10:00:00'), endDate: at('10:01:00') },
      { taskId: 'process', state: 'failed', tryNumber: 2, startDate: at('10:01:00'), endDate: at('10:04:00') },
      { taskId: 'publish', state: null, tryNumber: 0, startDate: null, endDate: null },
    ]);
  });

  it('leaves the end open while an instance has not finished', () => {
    const [row] = ganttRows(
      [{ taskId: 'process' }],
      [
        { taskId: 'process', state: 'success', tryNumber: 1, startDate: at('10:01:00'), endDate: at('10:02:00') },
        { taskId: 'process', state: 'running', tryNumber: 1, startDate: at('10:01:30'), endDate: null },
        { taskId: 'process', state: null, tryNumber: 0, startDate: null, endDate: null },
      ],
    );
    expect(row).toEqual({
      taskId: 'process',
      state: 'running',
      tryNumber: 1,
      startDate: at('10:01:00'),
      endDate: null,
    });
  });
});
