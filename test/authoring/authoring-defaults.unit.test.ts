import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentAuthoringDefaults } from '../../src/authoring/authoring-defaults';
import { DAG } from '../../src/authoring/dag';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';

const dagsDir = mkdtempSync(join(tmpdir(), 'dagctl-defaults-'));
const CONFIGURED = { maxActiveTasks: 1, maxActiveRuns: 3, retries: 2 };

function write(name: string, text: string): string {
  const file = join(dagsDir, name);
  writeFileSync(file, text);
  return file;
}

describe('config defaults for DAGs and tasks (core.max_active_*_per_dag, core.default_task_retries)', () => {
  const file = write(
    'mixed.ts',
    `import { DAG, EmptyOperator } from 'dagctl';
export const plain = new DAG('plain', { schedule: null });
new EmptyOperator({ taskId: 'unset', dag: plain });
new EmptyOperator({ taskId: 'own', retries: 0, dag: plain });
export const own = new DAG('own', { schedule: null, maxActiveTasks: 5, maxActiveRuns: 2, defaultArgs: { retries: 4 } });
new EmptyOperator({ taskId: 'from_default_args', dag: own });
`,
  );

  it('fills what a DAG or task does not set, in a file loaded with the defaults', async () => {
    const [plain, own] = await loadDagFile(file, { fresh: true, defaults: CONFIGURED });
    const p = serializeDag(plain);
    expect(p).toMatchObject({ dagId: 'plain', maxActiveTasks: 1, maxActiveRuns: 3 });
    expect(p.tasks.map((t) => [t.taskId, t.retries])).toEqual([
      ['unset', 2],
      ['own', 0],
    ]);
    const o = serializeDag(own);
    expect(o).toMatchObject({ dagId: 'own', maxActiveTasks: 5, maxActiveRuns: 2 });
    expect(o.tasks.map((t) => [t.taskId, t.retries])).toEqual([['from_default_args', 4]]);
  });

  it('uses the config defaults (16 / 16 / 0) otherwise, also after a load that was given others', async () => {
    const [plain] = await loadDagFile(file, { fresh: true });
    expect(serializeDag(plain)).toMatchObject({ maxActiveTasks: 16, maxActiveRuns: 16 });
    expect(plain.tasks.get('unset')?.retries).toBe(0);
    expect(currentAuthoringDefaults()).toEqual({ maxActiveTasks: 16, maxActiveRuns: 16, retries: 0 });
    const inCode = new DAG('in_code');
    expect(new EmptyOperator({ taskId: 't', dag: inCode }).retries).toBe(0);
    expect(inCode.maxActiveTasks).toBe(16);
  });

  it('applies to YAML DAGs too', async () => {
    const yaml = write('y.yaml', 'dag_id: yaml_dag\ntasks:\n  only: { operator: empty }\n');
    const [dag] = await loadDagFile(yaml, { fresh: true, defaults: CONFIGURED });
    expect(serializeDag(dag)).toMatchObject({ maxActiveTasks: 1, maxActiveRuns: 3, tasks: [{ retries: 2 }] });
  });
});
