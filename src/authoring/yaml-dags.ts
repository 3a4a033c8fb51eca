import { parse, YAMLParseError } from 'yaml';
import { errorMessage } from '../core/errors';
import { DAG } from './dag';
import type { DagOptions } from './dag-options';
import { didYouMean } from './closest-name';
import { DagFileError } from './dag-file-error';
import { BaseOperator } from './base-operator';
import { BashOperator, BashOperatorOptions } from './operators/bash-operator';
import { EmptyOperator } from './operators/empty-operator';
import type { TaskOptions } from './task-options';

/** YAML DAG keys (snake_case, as in Airflow) → DAG option names. */
const DAG_KEYS: Record<string, keyof DagOptions | null> = {
  dag_id: null,
  tasks: null,
  description: 'description',
  schedule: 'schedule',
  start_date: 'startDate',
  end_date: 'endDate',
  catchup: 'catchup',
  tags: 'tags',
  params: 'params',
  default_args: 'defaultArgs',
  max_active_runs: 'maxActiveRuns',
  max_active_tasks: 'maxActiveTasks',
  dagrun_timeout: 'dagrunTimeout',
  timezone: 'timezone',
  doc_md: 'docMd',
  owner: 'owner',
  template_undefined: 'templateUndefined',
};

/** Task option keys every operator accepts. */
const TASK_KEYS: Record<string, string> = {
  trigger_rule: 'triggerRule',
  retries: 'retries',
  retry_delay: 'retryDelay',
  retry_exponential_backoff: 'retryExponentialBackoff',
  max_retry_delay: 'maxRetryDelay',
  execution_timeout: 'executionTimeout',
  pool: 'pool',
  pool_slots: 'poolSlots',
  priority_weight: 'priorityWeight',
  weight_rule: 'weightRule',
  queue: 'queue',
  depends_on_past: 'dependsOnPast',
  owner: 'owner',
  doc: 'doc',
};

const BASH_KEYS: Record<string, string> = {
  bash_command: 'bashCommand',
  env: 'env',
  append_env: 'appendEnv',
  cwd: 'cwd',
};

type TaskFactory = (options: Record<string, unknown>) => BaseOperator;
const OPERATORS: Record<string, { keys: Record<string, string>; create: TaskFactory }> = {
  bash: { keys: { ...TASK_KEYS, ...BASH_KEYS }, create: (o) => new BashOperator(o as unknown as BashOperatorOptions) },
  empty: { keys: TASK_KEYS, create: (o) => new EmptyOperator(o as unknown as TaskOptions) },
};

/**
 * Build the DAGs a YAML file describes: one DAG at the top level, or `{ dags: [ … ] }`.
 * Every error is one line naming the file, the DAG and the key.
 */
export function loadYamlDags(text: string, file: string): DAG[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const line = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new DagFileError(file, `invalid YAML${line}: ${firstLine(errorMessage(err))}`);
  }
  if (doc === null || doc === undefined) return [];
  const fail = (reason: string): never => {
    throw new DagFileError(file, reason);
  };
  if (!isMap(doc)) return fail('a YAML DAG file must hold a mapping with dag_id and tasks, or { dags: [ … ] }');
  if ('dags' in doc) {
    const extra = Object.keys(doc).filter((key) => key !== 'dags');
    if (extra.length > 0) fail(`unknown top-level key '${extra[0]}' next to 'dags'`);
    if (!Array.isArray(doc.dags)) fail("'dags' must be a list of DAGs");
    return (doc.dags as unknown[]).map((spec, i) => buildDag(spec, file, `dags[${i}]`));
  }
  return [buildDag(doc, file, 'top level')];
}

function buildDag(spec: unknown, file: string, where: string): DAG {
  const fail = (reason: string): never => {
    throw new DagFileError(file, reason);
  };
  if (!isMap(spec)) return fail(`${where}: a DAG must be a mapping`);
  const dagId = spec.dag_id;
  if (typeof dagId !== 'string' || dagId === '') return fail(`${where}: missing 'dag_id'`);
  const label = `DAG '${dagId}'`;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (!(key in DAG_KEYS)) fail(`${label}: unknown key '${key}'${didYouMean(key, Object.keys(DAG_KEYS))}`);
    const option = DAG_KEYS[key];
    if (option) options[option] = value;
  }
  if (options.defaultArgs !== undefined)
    options.defaultArgs = convertDefaultArgs(options.defaultArgs, `${label}: default_args`, fail);
  const dag = withFile(file, () => new DAG(dagId, options as DagOptions));
  const tasks = spec.tasks ?? {};
  if (!isMap(tasks)) fail(`${label}: 'tasks' must be a mapping of task_id → task`);
  const upstreams = new Map<string, string[]>();
  for (const [taskId, taskSpec] of Object.entries(tasks as Record<string, unknown>)) {
    upstreams.set(taskId, buildTask(dag, taskId, taskSpec, file));
  }
  for (const [taskId, upstream] of upstreams) {
    for (const upId of upstream) {
      if (!dag.hasTask(upId))
        fail(`${label}, task '${taskId}': upstream task '${upId}' does not exist${didYouMean(upId, dag.taskIds)}`);
      withFile(file, () => dag.getTask(taskId).setUpstream(dag.getTask(upId)));
    }
  }
  return dag;
}

/** Creates the task; returns its upstream task ids (linked once every task exists). */
function buildTask(dag: DAG, taskId: string, spec: unknown, file: string): string[] {
  const label = `DAG '${dag.dagId}', task '${taskId}'`;
  const fail = (reason: string): never => {
    throw new DagFileError(file, `${label}: ${reason}`);
  };
  if (!isMap(spec)) return fail('a task must be a mapping with an operator');
  const operatorName = spec.operator;
  if (typeof operatorName !== 'string')
    return fail(`missing key 'operator' (use ${Object.keys(OPERATORS).join(' or ')})`);
  const operator = OPERATORS[operatorName];
  if (!operator)
    return fail(
      `unknown operator '${operatorName}'${didYouMean(operatorName, Object.keys(OPERATORS))} ` +
        `(use ${Object.keys(OPERATORS).join(' or ')})`,
    );
  const options: Record<string, unknown> = { taskId, dag };
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'operator' || key === 'upstream') continue;
    const option = operator.keys[key];
    if (!option)
      fail(
        `unknown key '${key}' for operator ${operatorName}` +
          didYouMean(key, [...Object.keys(operator.keys), 'upstream']),
      );
    options[option] = value;
  }
  withFile(file, () => operator.create(options));
  const upstream = spec.upstream ?? [];
  if (typeof upstream === 'string') return [upstream];
  if (!Array.isArray(upstream) || upstream.some((id) => typeof id !== 'string'))
    return fail("'upstream' must be a list of task ids");
  return upstream as string[];
}

function convertDefaultArgs(value: unknown, label: string, fail: (reason: string) => never): Record<string, unknown> {
  if (!isMap(value)) return fail(`${label} must be a mapping`);
  const allowed = { ...TASK_KEYS, ...BASH_KEYS };
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!(key in allowed)) fail(`${label}: unknown key '${key}'${didYouMean(key, Object.keys(allowed))}`);
    result[allowed[key]] = item;
  }
  return result;
}

/** Run a constructor; its errors become one-line file errors using the YAML (snake_case) key names. */
function withFile<T>(file: string, create: () => T): T {
  try {
    return create();
  } catch (err) {
    throw new DagFileError(
      file,
      errorMessage(err).replace(
        /\boption '([a-z]+(?:[A-Z][a-z]*)+)'/g,
        (_, name: string) => `key '${snakeCase(name)}'`,
      ),
    );
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
