import { checkKwargsKeys, describeElement, hasKwargsShape, shapeName } from '../authoring/mapping/expansion';
import { elementIndexes } from '../core/map-expansion';
import type { RunnerDag, RunnerOperator } from './runner-dag';

/**
 * Dynamic task mapping in the try: the operator of one map index, its expanded options set to
 * that index's elements (from literal lists or the upstream values pulled from this run).
 * A task that is not mapped comes back as it is.
 */
export function operatorForMapIndex(
  dagId: string,
  op: RunnerOperator,
  mapIndex: number,
  xcomPull: (taskId: string, key?: string) => unknown,
): RunnerOperator {
  const expansion = op.expansion;
  if (!expansion || expansion.args.length === 0) return op;
  const where = `DAG '${dagId}', task '${op.taskId}'`;
  if (mapIndex < 0 || !op.withExpandedValues)
    throw new Error(`${where} is mapped: run one of its map indexes, not map index ${mapIndex}`);
  const lists = expansion.args.map((arg) => {
    if ('literal' in arg) return arg.literal;
    const value = xcomPull(arg.output.taskId, arg.output.key);
    if (!Array.isArray(value))
      throw new Error(
        `${where}: expand argument '${arg.name}' needs a list, but task '${arg.output.taskId}' pushed ` +
          `${value === undefined ? 'no value' : `a value of type ${typeName(value)}`} as XCom '${arg.output.key}'`,
      );
    return value as readonly unknown[];
  });
  const indexes = elementIndexes(
    mapIndex,
    lists.map((list) => list.length),
  );
  // elementIndexes wraps around: an index at or past the cross product's size is beyond the lists.
  const size = lists.reduce((n, list) => n * list.length, 1);
  if (mapIndex >= size || lists.some((list, i) => indexes[i] >= list.length))
    throw new Error(`${where}: map index ${mapIndex} is beyond the lists it expands over`);
  const values: Record<string, unknown> = {};
  expansion.args.forEach((arg, i) => {
    const element = lists[i][indexes[i]];
    if (!arg.kwargs) {
      values[arg.name] = element;
      return;
    }
    if (!hasKwargsShape(element, arg.kwargs))
      throw new Error(
        `${where}: expandKwargs() element ${mapIndex} must be ${shapeName(arg.kwargs, true)}, ` +
          `but it is ${describeElement(element)}`,
      );
    // An object's options are this map index's own (over partial()'s); a tuple goes to the typed task whole.
    if (arg.kwargs === 'object') {
      if (op.mappableOptionKeys) checkKwargsKeys(where, element as object, mapIndex, op.mappableOptionKeys);
      Object.assign(values, element);
    } else values[arg.name] = element;
  });
  return op.withExpandedValues(values);
}

/**
 * The lengths of the lists this task pushes for mapped tasks to expand over (recorded by the
 * scheduler in `task_map`, as Airflow does, so it never reads the values); a value expanded over
 * that is not a list fails this task, naming the DAG, the task and the consumer.
 */
export function mapLengthsOf(dag: RunnerDag, taskId: string, pushed: Record<string, unknown>): Record<string, number> {
  const lengths: Record<string, number> = {};
  for (const { consumer, arg } of expansionsOver(dag).get(taskId) ?? []) {
    const value = pushed[arg.output.key];
    if (value === undefined) continue; // nothing pushed: the consumer fails when it expands
    if (!Array.isArray(value))
      throw new Error(
        `DAG '${dag.dagId}', task '${taskId}': XCom '${arg.output.key}' is expanded over by task ` +
          `'${consumer.taskId}', so it must be a list, but it is of type ${typeName(value)}`,
      );
    const bad = arg.kwargs ? value.findIndex((element) => !hasKwargsShape(element, arg.kwargs!)) : -1;
    if (bad >= 0)
      throw new Error(
        `DAG '${dag.dagId}', task '${taskId}': XCom '${arg.output.key}' is expanded over by task ` +
          `'${consumer.taskId}' with expandKwargs(), so each element must be ${shapeName(arg.kwargs!, true)}, ` +
          `but element ${bad} is ${describeElement(value[bad])}`,
      );
    lengths[arg.output.key] = value.length;
  }
  return lengths;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

type OutputArg = Extract<NonNullable<RunnerOperator['expansion']>['args'][number], { output: unknown }>;

/** A loaded DAG's mapped tasks by the task whose XCom they expand over, found once per DAG. */
const expansionsByDag = new WeakMap<RunnerDag, Map<string, Array<{ consumer: RunnerOperator; arg: OutputArg }>>>();

function expansionsOver(dag: RunnerDag): Map<string, Array<{ consumer: RunnerOperator; arg: OutputArg }>> {
  let byProducer = expansionsByDag.get(dag);
  if (!byProducer) {
    byProducer = new Map();
    for (const consumer of dag.tasks.values()) {
      for (const arg of consumer.expansion?.args ?? []) {
        if (!('output' in arg)) continue;
        let list = byProducer.get(arg.output.taskId);
        if (!list) byProducer.set(arg.output.taskId, (list = []));
        list.push({ consumer, arg });
      }
    }
    expansionsByDag.set(dag, byProducer);
  }
  return byProducer;
}
