import { BashOperator, DAG } from 'dagctl';

/** Templated bash commands: Airflow's Jinja names ({{ ds }}, {{ ti.try_number }}, {{ params.x }}). */
const dag = new DAG('example_bash_templating', {
  description: 'Bash commands rendered with the run context and params',
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  params: { greeting: 'hello', target: 'world' },
  tags: ['example'],
});

const runInfo = new BashOperator({
  taskId: 'run_info',
  bashCommand: 'echo "run for {{ ds }} try {{ ti.try_number }}"',
  dag,
});

const greet = new BashOperator({
  taskId: 'greet',
  bashCommand: 'echo "$GREETING, {{ params.target }}!"',
  env: { GREETING: '{{ params.greeting }}' },
  dag,
});

runInfo.then(greet);

export default dag;
