/** DAG sources the claim tests run through a real local executor. */

/** DAG 'solo': one task that returns its process's pid. */
export const SOLO_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('solo', { schedule: null });
new FunctionOperator({ taskId: 'only', dag, fn: () => process.pid });
export default dag;`;

/** DAG 'gated': a task that runs until the file named by its run's conf `gate` exists. */
export const GATED_DAG = `
import fs from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('gated', { schedule: null });
new FunctionOperator({ taskId: 'slow', dag, fn: async (ctx) => {
  while (!fs.existsSync(String(ctx.dagRun.conf.gate))) await new Promise((resolve) => setTimeout(resolve, 50));
} });
export default dag;`;

/** DAG 'pair': two quick tasks, first >> second. */
export const PAIR_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('pair', { schedule: null });
const first = new FunctionOperator({ taskId: 'first', dag, fn: () => 1 });
const second = new FunctionOperator({ taskId: 'second', dag, fn: () => 2 });
first.then(second);
export default dag;`;
