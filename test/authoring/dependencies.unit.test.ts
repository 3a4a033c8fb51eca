import { chain } from '../../src/authoring/chain';
import { DAG } from '../../src/authoring/dag';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';

function tasks(dag: DAG, ...ids: string[]): EmptyOperator[] {
  return ids.map((taskId) => new EmptyOperator({ taskId, dag }));
}
const down = (t: EmptyOperator): string[] => [...t.downstreamTaskIds].sort();
const up = (t: EmptyOperator): string[] => [...t.upstreamTaskIds].sort();

describe('dependencies', () => {
  test('then() links and returns its argument (task or list)', () => {
    const dag = new DAG('then');
    const [a, b, c, d] = tasks(dag, 'a', 'b', 'c', 'd');
    expect(a.then(b)).toBe(b);
    const list = [c, d];
    expect(b.then(list)).toBe(list);
    expect(down(a)).toEqual(['b']);
    expect(up(b)).toEqual(['a']);
    expect(down(b)).toEqual(['c', 'd']);
    expect(up(d)).toEqual(['b']);
    expect(dag.roots.map((t) => t.taskId)).toEqual(['a']);
    expect(dag.leaves.map((t) => t.taskId)).toEqual(['c', 'd']);
  });

  test('setUpstream / setDownstream accept tasks and arrays; links are idempotent', () => {
    const dag = new DAG('set');
    const [a, b, c] = tasks(dag, 'a', 'b', 'c');
    c.setUpstream([a, b]);
    a.setDownstream(c);
    expect(up(c)).toEqual(['a', 'b']);
    expect(down(a)).toEqual(['c']);
    expect(c.upstreamList.map((t) => t.taskId).sort()).toEqual(['a', 'b']);
    expect(a.downstreamList).toEqual([c]);
  });

  test('chain() links single tasks and lists with Airflow semantics', () => {
    const dag = new DAG('chain');
    const [t1, t2, t3, t4, t5, t6] = tasks(dag, 't1', 't2', 't3', 't4', 't5', 't6');
    chain(t1, [t2, t3], [t4, t5], t6);
    expect(down(t1)).toEqual(['t2', 't3']);
    expect(down(t2)).toEqual(['t4']);
    expect(down(t3)).toEqual(['t5']);
    expect(up(t6)).toEqual(['t4', 't5']);
    expect(down(t4)).toEqual(['t6']);
  });

  test('chain() rejects lists of different lengths', () => {
    const dag = new DAG('chain_bad');
    const [a, b, c] = tasks(dag, 'a', 'b', 'c');
    expect(() => chain([a, b], [c])).toThrow('chain(): cannot link lists of different lengths (2 and 1) at position 1');
  });

  test('dependencies across DAGs are rejected', () => {
    const [a] = tasks(new DAG('one'), 'a');
    const [b] = tasks(new DAG('two'), 'b');
    expect(() => a.then(b)).toThrow(
      "DAG 'one': cannot set a dependency between task 'a' and task 'b' of DAG 'two' (tasks of different DAGs)",
    );
  });

  test('a task depending on itself is a cycle', () => {
    const [a] = tasks(new DAG('self'), 'a');
    expect(() => a.then(a)).toThrow("DAG 'self': cycle a → a");
  });

  test('validate() names the cycle path', () => {
    const dag = new DAG('x');
    const [a, b, c, d] = tasks(dag, 'a', 'b', 'c', 'd');
    a.then(b).then(c).then(a);
    c.then(d);
    expect(() => dag.validate()).toThrow("DAG 'x': cycle a → b → c → a");
    const two = new DAG('y');
    const [p, q] = tasks(two, 'p', 'q');
    p.then(q).then(p);
    expect(() => two.validate()).toThrow("DAG 'y': cycle p → q → p");
  });

  test('topological order puts upstream first and keeps creation order among peers', () => {
    const dag = new DAG('topo');
    const [join, b, a, start] = tasks(dag, 'join', 'b', 'a', 'start');
    start.then([b, a]);
    join.setUpstream([a, b]);
    expect(dag.topologicalOrder().map((t) => t.taskId)).toEqual(['start', 'b', 'a', 'join']);
    expect(() => dag.validate()).not.toThrow();
  });

  test('validate() rejects a dependency on a task that is not in the DAG', () => {
    const dag = new DAG('dangling');
    const [a] = tasks(dag, 'a');
    (a.downstreamTaskIds as Set<string>).add('ghost');
    expect(() => dag.validate()).toThrow(
      "DAG 'dangling': task 'a' has downstream task 'ghost' that is not in this DAG",
    );
  });
});
