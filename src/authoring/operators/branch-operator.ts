import type { TaskOutcome } from '../../core/executor';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import { FunctionOperator, TaskFunction } from './function-operator';

export interface BranchOperatorOptions<A = unknown> extends TaskOptions {
  /** Returns the id(s) of the direct downstream task(s) to follow; null/[] follows none. */
  fn: TaskFunction<A, string | string[] | null | undefined>;
  args?: A;
}

/** Follows the branch(es) `fn` picks; the other direct downstream tasks are skipped. */
export class BranchOperator<A = unknown> extends FunctionOperator<A> {
  constructor(options: BranchOperatorOptions<A>) {
    super(options);
  }

  /** Returns the followed task ids (also the XCom, as in Airflow). */
  override async execute(ctx: TaskContext): Promise<string[]> {
    const picked = await this.fn(ctx, this.args as A);
    const ids = picked === null || picked === undefined ? [] : Array.isArray(picked) ? picked : [picked];
    for (const id of ids) {
      if (typeof id !== 'string')
        throw new Error(
          `BranchOperator '${this.taskId}': fn must return task ids (strings), got ${JSON.stringify(id)}`,
        );
      if (!this.downstreamTaskIds.has(id)) {
        const direct = [...this.downstreamTaskIds].sort().join(', ') || 'none';
        throw new Error(
          `BranchOperator '${this.taskId}': '${id}' is not a direct downstream task of '${this.taskId}' ` +
            `(direct downstream: ${direct})`,
        );
      }
    }
    return [...new Set(ids as string[])];
  }

  override toOutcome(result: unknown): Partial<TaskOutcome> {
    const followTaskIds = Array.isArray(result) ? (result as string[]) : [];
    return { xcoms: { return_value: followTaskIds }, followTaskIds };
  }
}
