import { DAG } from '../../src/authoring/dag';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { TaskGroup } from '../../src/authoring/task-group';
import { renderTaskGroups } from '../../src/cli/render-dag-tree';

const down = (t: EmptyOperator): string[] => [...t.downstreamTaskIds].sort();

describe('TaskGroup', () => {
  test('prefixes task ids, nests, and applies defaultArgs group over DAG', () => {
    const dag = new DAG('groups', { defaultArgs: { retries: 1, queue: 'q_dag' } });
    const extract = new TaskGroup('extract', { dag, defaultArgs: { retries: 3 } });
    const inner = new TaskGroup('inner', { dag, parentGroup: extract, defaultArgs: { queue: 'q_inner' } });
    const flat = new TaskGroup('flat', { dag, prefixGroupId: false });
    const a = new EmptyOperator({ taskId: 'a', taskGroup: extract, dag });
    const b = new EmptyOperator({ taskId: 'b', taskGroup: inner, dag });
    const c = new EmptyOperator({ taskId: 'c', taskGroup: flat, dag, retries: 0 });
    expect([a.taskId, b.taskId, c.taskId]).toEqual(['extract.a', 'extract.inner.b', 'c']);
    expect([a.retries, a.queue]).toEqual([3, 'q_dag']);
    expect([b.retries, b.queue]).toEqual([3, 'q_inner']);
    expect(c.retries).toBe(0);
    const serialized = serializeDag(dag).tasks.map((t) => [t.taskId, t.taskGroup]);
    expect(serialized).toEqual([
      ['extract.a', 'extract'],
      ['extract.inner.b', 'extract.inner'],
      ['c', 'flat'],
    ]);
  });

  test('group.then(x) links the group leaves, x.then(group) its roots; group to group', () => {
    const dag = new DAG('group_deps');
    const start = new EmptyOperator({ taskId: 'start', dag });
    const g1 = new TaskGroup('g1', { dag });
    const g2 = new TaskGroup('g2', { dag });
    const a = new EmptyOperator({ taskId: 'a', taskGroup: g1, dag });
    const b = new EmptyOperator({ taskId: 'b', taskGroup: g1, dag });
    const c = new EmptyOperator({ taskId: 'c', taskGroup: g1, dag });
    a.then([b, c]);
    const d = new EmptyOperator({ taskId: 'd', taskGroup: g2, dag });
    const end = new EmptyOperator({ taskId: 'end', dag });
    expect(start.then(g1)).toBe(g1);
    g1.then(g2).then(end);
    expect(down(start)).toEqual(['g1.a']);
    expect(down(b)).toEqual(['g2.d']);
    expect(down(c)).toEqual(['g2.d']);
    expect(down(d)).toEqual(['end']);
    expect(() => dag.validate()).not.toThrow();
  });

  test('a group leaf that is a teardown is not linked: downstream tasks follow the work', () => {
    const dag = new DAG('group_teardown');
    const g = new TaskGroup('g', { dag });
    const setup = new EmptyOperator({ taskId: 'setup', taskGroup: g, dag }).asSetup();
    const work = new EmptyOperator({ taskId: 'work', taskGroup: g, dag });
    const teardown = new EmptyOperator({ taskId: 'teardown', taskGroup: g, dag }).asTeardown({ setups: setup });
    setup.then(work).then(teardown);
    const after = new EmptyOperator({ taskId: 'after', dag });
    g.then(after);
    expect(down(work)).toEqual(['after', 'g.teardown']);
    expect(down(teardown)).toEqual([]);
    const t = serializeDag(dag).tasks.find((x) => x.taskId === 'g.teardown')!;
    expect(t).toMatchObject({ isTeardown: true, triggerRule: 'all_done_setup_success' });
    expect(t.onFailureFailDagrun).toBeUndefined();
  });

  test('bad groups are clear errors', () => {
    const dag = new DAG('bad_groups');
    const other = new DAG('other');
    expect(() => new TaskGroup('a.b', { dag })).toThrow(/may not contain '\.'/);
    const g = new TaskGroup('g', { dag: other });
    expect(() => new EmptyOperator({ taskId: 'x', taskGroup: g, dag })).toThrow(
      /option 'taskGroup' must be a group of this DAG/,
    );
    expect(() =>
      new EmptyOperator({ taskId: 'y', dag }).asTeardown({ setups: new EmptyOperator({ taskId: 'z', dag }) }),
    ).toThrow(/call asSetup\(\)/);
  });

  test('dags show renders tasks grouped, nested groups indented', () => {
    const dag = new DAG('show_groups');
    const g = new TaskGroup('extract', { dag });
    const inner = new TaskGroup('inner', { dag, parentGroup: g });
    new EmptyOperator({ taskId: 'a', taskGroup: g, dag });
    new EmptyOperator({ taskId: 'b', taskGroup: inner, dag });
    new EmptyOperator({ taskId: 'alone', dag });
    expect(renderTaskGroups(serializeDag(dag))).toEqual([
      '[extract]',
      '├── extract.a [EmptyOperator]',
      '└── [extract.inner]',
      '    └── extract.inner.b [EmptyOperator]',
    ]);
  });

  test('a DAG without the new options serializes without their fields (its hash is unchanged)', () => {
    const dag = new DAG('plain_fields');
    new EmptyOperator({ taskId: 'a', dag });
    const [task] = serializeDag(dag).tasks;
    for (const key of ['taskGroup', 'isSetup', 'isTeardown', 'waitForDownstream', 'maxActiveTisPerDag'])
      expect(Object.keys(task)).not.toContain(key);
  });
});
