import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DAG } from '../../src/authoring/dag';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { BashOperator } from '../../src/authoring/operators/bash-operator';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { task } from '../../src/authoring/typed/task';
import { dataset, datasetUriProblem, type Dataset } from '../../src/core/dataset';
import { DagDefinitionError } from '../../src/core/errors';

describe('dataset URIs', () => {
  test.each([
    's3://bucket/orders',
    'postgres://db:5432/analytics/orders',
    'file:///data/orders.csv',
    'orders', // Airflow accepts a plain name
  ])('%s is valid', (uri) => {
    expect(datasetUriProblem(uri)).toBeNull();
  });

  test.each([
    ['', 'must not be empty'],
    ['s3://bucket/my orders', 'must not contain whitespace'],
    [' s3://bucket/orders', 'must not contain whitespace'],
    ['airflow://dag/x', "the scheme 'airflow' is reserved"],
    ['AIRFLOW://dag/x', "the scheme 'airflow' is reserved"],
    ['s3://bücket/orders', 'must be ASCII'],
    ['http://exa mple', 'must not contain whitespace'],
    ['http://[::1', 'does not parse as a URI'],
    ['x'.repeat(3001), 'must be at most 3000 characters'],
  ])('%j is refused: %s', (uri, problem) => {
    expect(datasetUriProblem(uri)).toBe(problem);
  });
});

describe('outlets and dataset schedules', () => {
  const orders = dataset('s3://bucket/orders');
  const customers = dataset('s3://bucket/customers');

  test('outlets on classic operators and typed tasks are serialized; a dataset schedule too', () => {
    const dag = new DAG('producer');
    new BashOperator({ taskId: 'write', bashCommand: 'true', outlets: [orders, customers, orders], dag });
    const typed = task({ taskId: 'typed', dag, outlets: [orders] }, () => 1);
    typed();
    new EmptyOperator({ taskId: 'plain', dag });
    const serialized = serializeDag(dag);
    expect(serialized.tasks.map((t) => [t.taskId, t.outlets])).toEqual([
      ['write', ['s3://bucket/orders', 's3://bucket/customers']],
      ['typed', ['s3://bucket/orders']],
      ['plain', undefined],
    ]);

    const consumer = new DAG('consumer', { schedule: [orders, customers] });
    new EmptyOperator({ taskId: 't', dag: consumer });
    expect(consumer.scheduleSpec).toEqual({ kind: 'dataset', uris: ['s3://bucket/customers', 's3://bucket/orders'] });
    expect(serializeDag(consumer)).toMatchObject({
      schedule: { kind: 'dataset', uris: ['s3://bucket/customers', 's3://bucket/orders'] },
      scheduleText: 'Dataset',
    });
  });

  test('a bad outlet URI names the DAG and the task', () => {
    const dag = new DAG('producer');
    expect(
      () => new BashOperator({ taskId: 'write', bashCommand: 'true', outlets: [dataset('s3://b/my file')], dag }),
    ).toThrow(
      new DagDefinitionError(
        `DAG 'producer', task 'write': outlet dataset "s3://b/my file": must not contain whitespace`,
      ),
    );
    expect(() => task({ taskId: 'typed', dag, outlets: [dataset('airflow://x')] }, () => 1)()).toThrow(
      `DAG 'producer', task 'typed': outlet dataset "airflow://x": the scheme 'airflow' is reserved`,
    );
    expect(() => new EmptyOperator({ taskId: 'e', dag, outlets: ['s3://b/x'] as unknown as Dataset[] })).toThrow(
      `DAG 'producer', task 'e': option 'outlets' must hold datasets`,
    );
  });

  test('a cron mixed with datasets, an empty list or a bad schedule URI is refused, naming the DAG', () => {
    const mixed = ['@daily', orders] as unknown as Dataset[]; // a cron beside a dataset
    expect(() => new DAG('mixed', { schedule: mixed })).toThrow(
      `DAG 'mixed': a schedule list holds either datasets or cron expressions, got '@daily' among datasets ` +
        '(a cron cannot be mixed with datasets; use one or the other)',
    );
    expect(() => new DAG('empty', { schedule: [] })).toThrow(`DAG 'empty': schedule is an empty list`);
    expect(() => new DAG('bad', { schedule: [dataset('s3://b/a b')] })).toThrow(
      `DAG 'bad': schedule dataset 's3://b/a b': must not contain whitespace`,
    );
  });

  test('a DAG file with a bad outlet URI fails to import with an error naming the DAG and the task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dagctl-datasets-'));
    const file = join(dir, 'bad_outlet.ts');
    writeFileSync(
      file,
      `import { DAG, BashOperator, dataset } from 'dagctl';
       const dag = new DAG('bad_outlet');
       new BashOperator({ taskId: 'write', bashCommand: 'true', outlets: [dataset('s3://bucket/has space')], dag });
       export default dag;\n`,
    );
    await expect(loadDagFile(file)).rejects.toThrow(
      `DAG 'bad_outlet', task 'write': outlet dataset "s3://bucket/has space": must not contain whitespace`,
    );
  });
});
