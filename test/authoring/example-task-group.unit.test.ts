import { join } from 'node:path';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { renderDagTree, renderTaskGroups } from '../../src/cli/render-dag-tree';

describe('dags/example_task_group.ts', () => {
  test('groups, setup/teardown and LatestOnly wire as the README shows', async () => {
    const [dag] = await loadDagFile(join(__dirname, '..', '..', 'dags', 'example_task_group.ts'));
    const serialized = serializeDag(dag);
    const byId = new Map(serialized.tasks.map((t) => [t.taskId, t]));
    expect(byId.get('start')!.downstream).toEqual(['extract.a', 'extract.b']);
    expect(byId.get('extract.clean.dedupe')!.downstream).toEqual(['load.create_table']);
    // The teardown is not a group leaf: `end` follows the work.
    expect(byId.get('load.write')!.downstream).toEqual(['end', 'load.drop_tmp']);
    expect(byId.get('load.drop_tmp')).toMatchObject({ isTeardown: true, triggerRule: 'all_done_setup_success' });
    expect(byId.get('extract.a')).toMatchObject({ retries: 2, taskGroup: 'extract' });
    expect(renderTaskGroups(serialized)).toEqual([
      '[extract]',
      '├── extract.a [FunctionOperator]',
      '├── extract.b [FunctionOperator]',
      '└── [extract.clean]',
      '    └── extract.clean.dedupe [FunctionOperator]',
      '[load]',
      '├── load.create_table [BashOperator] (setup)',
      '├── load.write [FunctionOperator]',
      '└── load.drop_tmp [BashOperator] (teardown)',
    ]);
    expect(renderDagTree(serialized)[0]).toBe('latest_only [LatestOnlyOperator]');
  });
});
