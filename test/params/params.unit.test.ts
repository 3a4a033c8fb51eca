import vm from 'node:vm';
import { DAG } from '../../src/authoring/dag';
import { loadYamlDags } from '../../src/authoring/yaml-dags';
import { param } from '../../src/authoring/param';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { DagDefinitionError, InvalidArgumentError } from '../../src/core/errors';
import { resolveRunParams } from '../../src/core/resolve-run-params';

function runParams(dag: DAG, conf: Record<string, unknown>, confOverridesParams = true): Record<string, unknown> {
  return resolveRunParams({ dagId: dag.dagId, defaults: dag.params, specs: dag.paramSpecs, conf, confOverridesParams });
}

describe('params: declaration and defaults', () => {
  test('param(default, schema) resolves to its default; plain values stay as they are', () => {
    const dag = new DAG('p_defaults', {
      params: { n: param(3, { type: 'integer', minimum: 0 }), label: 'x', nested: { a: 1 } },
    });
    expect(dag.params).toEqual({ n: 3, label: 'x', nested: { a: 1 } });
    expect(dag.paramSpecs).toEqual({ n: { schema: { type: 'integer', minimum: 0 }, hasDefault: true } });
  });

  test('an Airflow-style { type, default } object resolves to its default, not the schema object', () => {
    const dag = new DAG('p_airflow_style', {
      params: { mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast', description: 'how' } },
    });
    expect(dag.params).toEqual({ mode: 'fast' });
    expect(dag.paramSpecs.mode.schema).toEqual({ type: 'string', enum: ['fast', 'slow'], description: 'how' });
  });

  test('an Airflow-style param from another realm (a DAG file evaluated in a vm context) resolves too', () => {
    const foreign = vm.runInNewContext("({ type: 'integer', default: 4 })") as Record<string, unknown>;
    expect(new DAG('p_foreign_realm', { params: { n: foreign } }).params).toEqual({ n: 4 });
  });

  test('an object whose type is not a JSON type is a plain value', () => {
    const dag = new DAG('p_plain_object', { params: { shape: { type: 'circle', default: 1 } } });
    expect(dag.params).toEqual({ shape: { type: 'circle', default: 1 } });
    expect(dag.paramSpecs).toEqual({});
  });

  test('a default that fails its schema is a definition error naming the DAG and the param', () => {
    expect(() => new DAG('p_bad_default', { params: { n: param(-1, { type: 'integer', minimum: 0 }) } })).toThrow(
      new DagDefinitionError("DAG 'p_bad_default': param 'n' default -1 must be >= 0"),
    );
    expect(() => new DAG('p_bad_airflow', { params: { n: { type: 'integer', default: 'x' } } })).toThrow(
      /DAG 'p_bad_airflow': param 'n' default "x" must be integer/,
    );
  });

  test('a schema that does not compile is a definition error naming the param', () => {
    expect(() => new DAG('p_bad_schema', { params: { n: param(1, { type: 'integr' }) } })).toThrow(
      /DAG 'p_bad_schema': param 'n' has an invalid schema: /,
    );
  });

  test('the stored DAG carries values and schemas; a DAG without schemas has no paramSpecs field', () => {
    const withSchema = serializeDag(new DAG('p_ser', { params: { n: param(1, { type: 'integer' }) } }));
    expect(withSchema.params).toEqual({ n: 1 });
    expect(withSchema.paramSpecs).toEqual({ n: { schema: { type: 'integer' }, hasDefault: true } });
    expect('paramSpecs' in serializeDag(new DAG('p_ser_plain', { params: { a: 1 } }))).toBe(false);
  });
});

describe('params: conf of a run', () => {
  const dag = new DAG('p_conf', {
    params: {
      n: param(1, { type: 'integer', minimum: 0 }),
      mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
      note: 'plain',
    },
  });

  test('conf is merged over the defaults; extra conf keys pass through', () => {
    expect(runParams(dag, { n: 5, extra: true })).toEqual({ n: 5, mode: 'fast', note: 'plain', extra: true });
    expect(runParams(dag, {})).toEqual({ n: 1, mode: 'fast', note: 'plain' });
  });

  test.each([
    [{ n: 'not-an-int' }, /conf field 'n' must be integer, got "not-an-int"/],
    [{ n: -2 }, /conf field 'n' must be >= 0, got -2/],
    [{ mode: 'medium' }, /conf field 'mode' must be equal to one of the allowed values \["fast","slow"\]/],
  ])('conf %j is refused naming the field', (conf, message) => {
    expect(() => runParams(dag, conf)).toThrow(InvalidArgumentError);
    expect(() => runParams(dag, conf)).toThrow(message);
  });

  test('with core.dag_run_conf_overrides_params false, conf does not change params', () => {
    expect(runParams(dag, { n: 'ignored' }, false)).toEqual({ n: 1, mode: 'fast', note: 'plain' });
  });

  test('a param without a default must come from conf', () => {
    const required = new DAG('p_required', { params: { target: param(undefined, { type: 'string' }) } });
    expect(required.params).toEqual({ target: null });
    expect(() => runParams(required, {})).toThrow(/param 'target' has no default, so conf must set it/);
    expect(runParams(required, { target: 'db' })).toEqual({ target: 'db' });
  });

  test('a scheduled DAG cannot have a param without a default (its runs have no conf)', () => {
    expect(
      () =>
        new DAG('p_sched_required', { schedule: '@daily', params: { target: param(undefined, { type: 'string' }) } }),
    ).toThrow("DAG 'p_sched_required': param 'target' has no default, so the DAG needs schedule: null");
  });
});

describe('params: YAML DAGs', () => {
  test("Airflow's { type, default } form resolves in a YAML DAG, with its schema kept", () => {
    const [dag] = loadYamlDags(
      [
        'dag_id: y_params',
        'params:',
        '  n: { type: integer, minimum: 1, default: 2 }',
        'tasks:',
        '  t: { operator: empty }',
      ].join('\n'),
      '/dags/y_params.yaml',
    );
    expect(dag.params).toEqual({ n: 2 });
    expect(() => runParams(dag, { n: 0 })).toThrow("conf field 'n' must be >= 1");
  });
});
