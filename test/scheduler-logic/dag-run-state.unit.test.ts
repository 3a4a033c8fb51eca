import type { TaskStateOrNone } from '../../src/core/states';
import { decideDagRunState, findLeaves } from '../../src/scheduler/dag-run-state';
import { makeDag } from './make-task';

describe('decideDagRunState', () => {
  test.each<[TaskStateOrNone[], 'running' | 'success' | 'failed']>([
    [['success', 'success'], 'success'],
    [['success', 'skipped'], 'success'],
    [['skipped', 'skipped'], 'success'],
    [['success', 'removed'], 'success'],
    [['removed'], 'success'],
    [[], 'success'],
    [['success', 'failed'], 'failed'],
    [['upstream_failed', 'success'], 'failed'],
    [['failed', null], 'failed'],
    [['upstream_failed', 'running'], 'failed'],
    [['success', null], 'running'],
    [['success', 'running'], 'running'],
    [['queued'], 'running'],
    [['scheduled', 'skipped'], 'running'],
    [['up_for_retry', 'success'], 'running'],
    [['up_for_reschedule'], 'running'],
  ])('leaves %j → %s', (leaves, expected) => {
    expect(decideDagRunState(leaves)).toBe(expected);
  });
});

describe('findLeaves', () => {
  test('tasks without downstream tasks, in DAG order', () => {
    const tasks = makeDag(
      ['a', 'b', 'c', 'd', 'e'],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
      ],
    );
    expect(findLeaves(tasks)).toEqual(['c', 'd', 'e']);
  });

  test('a single chain has one leaf', () => {
    expect(
      findLeaves(
        makeDag(
          ['x', 'y', 'z'],
          [
            ['x', 'y'],
            ['y', 'z'],
          ],
        ),
      ),
    ).toEqual(['z']);
  });

  test('downstream ids outside the task list do not hide a leaf', () => {
    const tasks = makeDag(['a'], []);
    tasks[0].downstream = ['gone'];
    expect(findLeaves(tasks)).toEqual(['a']);
  });

  test('the run state follows the leaves only', () => {
    const tasks = makeDag(
      ['extract', 'transform', 'load', 'notify'],
      [
        ['extract', 'transform'],
        ['transform', 'load'],
        ['extract', 'notify'],
      ],
    );
    const states: Record<string, TaskStateOrNone> = {
      extract: 'success',
      transform: 'failed',
      load: 'upstream_failed',
      notify: 'success',
    };
    expect(decideDagRunState(findLeaves(tasks).map((id) => states[id]))).toBe('failed');
    states.transform = 'success';
    states.load = null;
    expect(decideDagRunState(findLeaves(tasks).map((id) => states[id]))).toBe('running');
    states.load = 'success';
    expect(decideDagRunState(findLeaves(tasks).map((id) => states[id]))).toBe('success');
  });
});
