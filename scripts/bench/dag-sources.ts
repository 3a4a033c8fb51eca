/**
 * Sources of the DAG files the scenarios generate. Every task does nothing, so the figures are
 * dagctl's own overhead. Task ids are zero-padded so their order is their position.
 */

const HEADER = `import { DAG, FunctionOperator, BashOperator, chain } from 'dagctl';\n`;
const MANUAL = `schedule: null, startDate: '2026-01-01T00:00:00Z'`;

export function taskId(i: number): string {
  return `t${String(i).padStart(5, '0')}`;
}

/** N FunctionOperators in a chain: t00000 >> t00001 >> … */
export function chainDag(dagId: string, n: number): string {
  return `${HEADER}
const dag = new DAG('${dagId}', { ${MANUAL} });
const tasks = Array.from(
  { length: ${n} },
  (_, i) => new FunctionOperator({ taskId: 't' + String(i).padStart(5, '0'), fn: () => undefined, dag }),
);
chain(...tasks);
export default dag;
`;
}

/** N independent FunctionOperators. */
export function fanoutDag(dagId: string, n: number): string {
  return `${HEADER}
const dag = new DAG('${dagId}', { ${MANUAL} });
for (let i = 0; i < ${n}; i += 1)
  new FunctionOperator({ taskId: 't' + String(i).padStart(5, '0'), fn: () => undefined, dag });
export default dag;
`;
}

/** N independent BashOperators running \`true\`. */
export function bashFanoutDag(dagId: string, n: number): string {
  return `${HEADER}
const dag = new DAG('${dagId}', { ${MANUAL} });
for (let i = 0; i < ${n}; i += 1)
  new BashOperator({ taskId: 't' + String(i).padStart(5, '0'), bashCommand: 'true', dag });
export default dag;
`;
}

/** One start task, N-2 parallel tasks, one end task: N tasks in all. */
export function fanOutFanInDag(dagId: string, n: number): string {
  return `${HEADER}
const dag = new DAG('${dagId}', { ${MANUAL} });
const start = new FunctionOperator({ taskId: 'start', fn: () => undefined, dag });
const end = new FunctionOperator({ taskId: 'end', fn: () => undefined, dag });
const middle = Array.from(
  { length: ${n - 2} },
  (_, i) => new FunctionOperator({ taskId: 't' + String(i).padStart(5, '0'), fn: () => undefined, dag }),
);
start.then(middle);
for (const t of middle) t.then(end);
export default dag;
`;
}

/**
 * A typical small DAG file of `tasks` tasks (one start, the rest in parallel then one end), on a
 * daily schedule that starts far in the future, so nothing is ever due. `variant` changes the
 * source (and the serialized DAG) without changing its shape.
 */
export function smallScheduledDag(dagId: string, tasks: number, variant = 0): string {
  return `${HEADER}
const dag = new DAG('${dagId}', {
  description: 'benchmark DAG variant ${variant}',
  schedule: '@daily',
  startDate: '2099-01-01T00:00:00Z',
});
const first = new FunctionOperator({ taskId: 'extract', fn: () => 1, dag });
const last = new BashOperator({ taskId: 'report', bashCommand: 'echo done', dag });
const middle = Array.from(
  { length: ${Math.max(0, tasks - 2)} },
  (_, i) => new FunctionOperator({ taskId: 'step_' + i, fn: () => i, dag }),
);
chain(first, middle, last);
export default dag;
`;
}
