import { DAG } from '../../src/authoring/dag';
import { BashOperator } from '../../src/authoring/operators/bash-operator';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { FunctionOperator } from '../../src/authoring/operators/function-operator';
import { DagDefinitionError } from '../../src/core/errors';

describe('task options', () => {
  test("Airflow's defaults apply when nothing is set", () => {
    const dag = new DAG('defaults');
    const task = new EmptyOperator({ taskId: 't', dag });
    expect(task).toMatchObject({
      taskId: 't',
      dag,
      retries: 0,
      retryDelayMs: 300_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: null,
      executionTimeoutMs: null,
      triggerRule: 'all_success',
      pool: 'default_pool',
      poolSlots: 1,
      priorityWeight: 1,
      weightRule: 'downstream',
      queue: 'default',
      dependsOnPast: false,
      owner: 'airflow',
      doc: null,
      onSuccessCallback: null,
      onFailureCallback: null,
      onRetryCallback: null,
    });
    expect(task.operatorName).toBe('EmptyOperator');
    expect(task.isEmpty).toBe(true);
    expect(dag.getTask('t')).toBe(task);
  });

  test('every option is normalized (durations to ms)', () => {
    const dag = new DAG('all');
    const onSuccess = jest.fn();
    const task = new EmptyOperator({
      taskId: 't',
      dag,
      retries: 3,
      retryDelay: '90s',
      retryExponentialBackoff: true,
      maxRetryDelay: '1h',
      executionTimeout: 1500,
      triggerRule: 'one_failed',
      pool: 'p',
      poolSlots: 2,
      priorityWeight: 7,
      weightRule: 'absolute',
      queue: 'q',
      dependsOnPast: true,
      owner: 'me',
      doc: 'docs',
      onSuccessCallback: onSuccess,
    });
    expect(task).toMatchObject({
      retries: 3,
      retryDelayMs: 90_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 3_600_000,
      executionTimeoutMs: 1500,
      triggerRule: 'one_failed',
      pool: 'p',
      poolSlots: 2,
      priorityWeight: 7,
      weightRule: 'absolute',
      queue: 'q',
      dependsOnPast: true,
      owner: 'me',
      doc: 'docs',
      onSuccessCallback: onSuccess,
    });
  });

  test('defaultArgs sit between task options and Airflow defaults', () => {
    const dag = new DAG('with_defaults', {
      defaultArgs: { retries: 1, retryDelay: '5m', queue: 'etl', bashCommand: 'echo default' },
    });
    const plain = new EmptyOperator({ taskId: 'plain', dag });
    const own = new EmptyOperator({ taskId: 'own', retries: 3, dag });
    const bash = new BashOperator({ taskId: 'bash', dag } as never);
    expect(plain).toMatchObject({ retries: 1, retryDelayMs: 300_000, queue: 'etl' });
    expect(own.retries).toBe(3);
    // operator options in defaultArgs apply only to operators that accept them, as in Airflow
    expect(bash.bashCommand).toBe('echo default');
  });

  test('undefined options fall back to the defaults', () => {
    const dag = new DAG('undef', { defaultArgs: { retries: 2 } });
    expect(new EmptyOperator({ taskId: 't', retries: undefined, dag }).retries).toBe(2);
  });

  test('an unknown option names the DAG, the task and the option', () => {
    const dag = new DAG('typos');
    const create = (): EmptyOperator => new EmptyOperator({ taskId: 't', dag, retrys: 2 } as never);
    expect(create).toThrow(DagDefinitionError);
    expect(create).toThrow("DAG 'typos', task 't': unknown option 'retrys' (did you mean 'retries'?)");
    expect(() => new BashOperator({ taskId: 'b', dag, bashCommand: 'true', command: 'x' } as never)).toThrow(
      "DAG 'typos', task 'b': unknown option 'command'",
    );
  });

  test('an unknown trigger rule names the DAG, the task and the option', () => {
    const dag = new DAG('rules');
    expect(() => new EmptyOperator({ taskId: 't', dag, triggerRule: 'all_sucess' as never })).toThrow(
      "DAG 'rules', task 't': unknown trigger rule 'all_sucess' (did you mean 'all_success'?) (option 'triggerRule'",
    );
  });

  test('bad option values name the DAG, the task and the option', () => {
    const dag = new DAG('values');
    expect(() => new EmptyOperator({ taskId: 'a', dag, retries: -1 })).toThrow(
      "DAG 'values', task 'a': option 'retries' must be an integer >= 0, got -1",
    );
    expect(() => new EmptyOperator({ taskId: 'b', dag, retryDelay: 'later' })).toThrow(
      "DAG 'values', task 'b': retryDelay: cannot parse 'later'",
    );
    expect(() => new EmptyOperator({ taskId: 'c', dag, poolSlots: 0 })).toThrow(
      "DAG 'values', task 'c': option 'poolSlots' must be an integer >= 1",
    );
    expect(() => new EmptyOperator({ taskId: 'd', dag, weightRule: 'sideways' as never })).toThrow(
      "DAG 'values', task 'd': unknown weight rule 'sideways'",
    );
    expect(() => new EmptyOperator({ taskId: 'e', dag, pool: '' })).toThrow(
      "DAG 'values', task 'e': option 'pool' must be a non-empty string",
    );
    expect(() => new EmptyOperator({ taskId: 'f', dag, dependsOnPast: 'yes' as never })).toThrow(
      "DAG 'values', task 'f': option 'dependsOnPast' must be true or false",
    );
    expect(() => new EmptyOperator({ taskId: 'g', dag, onFailureCallback: 'x' as never })).toThrow(
      "DAG 'values', task 'g': option 'onFailureCallback' must be a function",
    );
    expect(() => new FunctionOperator({ taskId: 'h', dag } as never)).toThrow(
      "DAG 'values', task 'h': option 'fn' must be a function",
    );
    expect(() => new BashOperator({ taskId: 'i', dag, bashCommand: ' ' })).toThrow(
      "DAG 'values', task 'i': option 'bashCommand' must be a non-empty string",
    );
  });

  test('a task without a dag is an error', () => {
    expect(() => new EmptyOperator({ taskId: 'orphan' } as never)).toThrow("task 'orphan': option 'dag' is required");
    expect(() => new EmptyOperator({ taskId: 'orphan', dag: {} as never })).toThrow(
      "task 'orphan': option 'dag' is required",
    );
  });

  test('task ids follow the dag_id rules', () => {
    const dag = new DAG('ids');
    expect(() => new EmptyOperator({ taskId: 'a b', dag })).toThrow(`DAG 'ids': invalid task_id "a b"`);
    expect(() => new EmptyOperator({ taskId: '', dag })).toThrow(
      `DAG 'ids': invalid task_id "": must be a non-empty string`,
    );
  });

  test('a duplicate task id is an error at creation', () => {
    const dag = new DAG('dups');
    new EmptyOperator({ taskId: 'same', dag });
    expect(() => new EmptyOperator({ taskId: 'same', dag })).toThrow("DAG 'dups': duplicate task id 'same'");
  });

  test('templateFields per operator', () => {
    const dag = new DAG('templates');
    expect(new EmptyOperator({ taskId: 'e', dag }).templateFields).toEqual([]);
    expect(new BashOperator({ taskId: 'b', bashCommand: 'true', dag }).templateFields).toEqual([
      'bashCommand',
      'env',
      'cwd',
    ]);
    expect(new FunctionOperator({ taskId: 'f', fn: () => 1, dag }).templateFields).toEqual(['args']);
  });
});
