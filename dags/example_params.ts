import { BashOperator, DAG, FunctionOperator, param } from 'dagctl';

/**
 * Params with defaults and JSON schemas. Trigger with conf to override them; conf that breaks a
 * schema is refused before any run exists:
 *   npx dagctl trigger example_params -c '{"rows": 50, "mode": "full"}'
 *   npx dagctl trigger example_params -c '{"rows": "many"}'   # exit 2: conf field 'rows' must be integer
 */
const dag = new DAG('example_params', {
  description: 'Validated params: defaults, JSON schemas, conf merged over them',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  params: {
    rows: param(10, { type: 'integer', minimum: 1, maximum: 1000, description: 'How many rows to load' }),
    // Airflow's dict form works too: the default is the value, the rest the schema.
    mode: { type: 'string', enum: ['incremental', 'full'], default: 'incremental', description: 'Load strategy' },
    dryRun: param(false, { type: 'boolean', description: 'Only report what would be loaded' }),
    table: 'orders',
  },
  tags: ['example'],
});

const plan = new FunctionOperator({
  taskId: 'plan',
  fn: (ctx) => {
    ctx.log.info(`params: ${JSON.stringify(ctx.params)}`);
    return ctx.params;
  },
  dag,
});

const load = new BashOperator({
  taskId: 'load',
  bashCommand: 'echo "loading {{ params.rows }} rows into {{ params.table }} ({{ params.mode }})"',
  dag,
});

plan.then(load);

export default dag;
