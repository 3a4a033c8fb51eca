import { BaseOperator } from '../base-operator';
import type { TaskOptions } from '../task-options';

/** Does nothing. Like Airflow, the scheduler may mark it success without running it (`isEmpty`). */
export class EmptyOperator extends BaseOperator {
  readonly isEmpty = true;

  constructor(options: TaskOptions) {
    super(options);
  }

  async execute(): Promise<undefined> {
    return undefined;
  }
}
