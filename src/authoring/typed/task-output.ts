import { DagDefinitionError } from '../../core/errors';
import type { BaseOperator } from '../base-operator';
import { kindOf, SDK_KIND } from '../sdk-kind';

import type { OUTPUT_TYPE } from './output-brand';

/**
 * The value a task will push as an XCom, known by its type before the run (Airflow's XComArg).
 * Passing it to a typed task makes that task downstream of `task` and hands it the value at run
 * time; in a templated field (`${output}` in a bash command) it renders as the xcom_pull template.
 */
export class TaskOutput<T> {
  readonly [SDK_KIND] = 'output' as const;
  /** Only for the compiler: TaskOutput<string> is not a TaskOutput<number>. */
  declare readonly [OUTPUT_TYPE]?: T;

  constructor(
    /** The task that produces the value. */
    readonly task: BaseOperator,
    /** The XCom key ('return_value' for what the function returned). */
    readonly key: string = 'return_value',
  ) {}

  get taskId(): string {
    return this.task.taskId;
  }

  /**
   * The template that pulls this value, for a classic operator's templated field:
   * `bashCommand: \`echo ${out.template}\`` (also what `${out}` gives).
   */
  get template(): string {
    const key = this.key === 'return_value' ? '' : `, key='${this.key}'`;
    return `{{ ti.xcom_pull(task_ids='${this.taskId}'${key}) }}`;
  }

  toString(): string {
    return this.template;
  }
}

/**
 * The output of a classic operator, typed by the caller: `outputOf<string>(bash)` (a BashOperator
 * pushes the last line of its stdout). The type is the caller's claim; nothing checks it.
 */
export function outputOf<T = unknown>(operator: BaseOperator, key = 'return_value'): TaskOutput<T> {
  if (kindOf(operator) !== 'operator')
    throw new DagDefinitionError(`outputOf: expected a task, got ${operator === null ? 'null' : typeof operator}`);
  return new TaskOutput<T>(operator, key);
}

/** A TaskOutput from any copy of the SDK (they share the brand, not the class). */
export function isTaskOutput(value: unknown): value is TaskOutput<unknown> {
  return kindOf(value) === 'output';
}
