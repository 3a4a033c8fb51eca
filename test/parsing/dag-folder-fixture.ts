import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary dags folder with helpers to write DAG files into it. */
export class DagFolder {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-dags-'));
  readonly dags = path.join(this.root, 'dags');
  /** Each import of a file made by `goodDag` appends one line here: counts real imports. */
  readonly importLog = path.join(this.root, 'imports.log');

  constructor() {
    fs.mkdirSync(this.dags);
  }

  path(name: string): string {
    return path.join(this.dags, name);
  }

  write(name: string, text: string): string {
    const file = this.path(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  remove(name: string): void {
    fs.rmSync(this.path(name));
  }

  /** A valid TypeScript DAG file that logs each import of itself. */
  goodDag(dagId: string, description = 'a good DAG'): string {
    return [
      "import { appendFileSync } from 'node:fs';",
      "import { DAG, EmptyOperator, BashOperator } from 'dagctl';",
      `appendFileSync(${JSON.stringify(this.importLog)}, ${JSON.stringify(`${dagId}\n`)});`,
      `const dag = new DAG(${JSON.stringify(dagId)}, {`,
      `  description: ${JSON.stringify(description)},`,
      "  schedule: '@daily',",
      "  startDate: '2026-01-01T00:00:00Z',",
      "  tags: ['t1'],",
      '});',
      "const start = new EmptyOperator({ taskId: 'start', dag });",
      "start.then(new BashOperator({ taskId: 'say', bashCommand: 'echo hi', dag }));",
      'export default dag;',
      '',
    ].join('\n');
  }

  /** How many times files made by `goodDag(dagId)` were imported. */
  importCount(dagId: string): number {
    if (!fs.existsSync(this.importLog)) return 0;
    return fs
      .readFileSync(this.importLog, 'utf8')
      .split('\n')
      .filter((line) => line === dagId).length;
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export const BROKEN_FILES: Record<string, string> = {
  'syntax_error.ts': "import { DAG } from 'dagctl';\nconst dag = new DAG('syntax', {});\nconst x = ;\n",
  'cycle.ts': [
    "import { DAG, EmptyOperator } from 'dagctl';",
    "const dag = new DAG('cyclic', { schedule: null });",
    "const a = new EmptyOperator({ taskId: 'a', dag });",
    "const b = new EmptyOperator({ taskId: 'b', dag });",
    'a.then(b);',
    'b.then(a);',
    'export default dag;',
  ].join('\n'),
  'duplicate_task.ts': [
    "import { DAG, EmptyOperator } from 'dagctl';",
    "const dag = new DAG('dup_task', { schedule: null });",
    "new EmptyOperator({ taskId: 'same', dag });",
    "new EmptyOperator({ taskId: 'same', dag });",
    'export default dag;',
  ].join('\n'),
  'unknown_option.ts': [
    "import { DAG, BashOperator } from 'dagctl';",
    "const dag = new DAG('unknown_opt', { schedule: null });",
    "new BashOperator({ taskId: 'x', bashCommand: 'echo', colour: 'red', dag } as any);",
    'export default dag;',
  ].join('\n'),
  'infinite_loop.ts':
    "import { DAG } from 'dagctl';\nwhile (true) { /* never ends */ }\nexport default new DAG('never', {});\n",
  'throws.ts': "import { DAG } from 'dagctl';\nthrow new Error('warehouse unreachable at import');\n",
  'bad.yaml': 'dag_id: broken_yaml\ntasks: [unclosed\n  a: {\n',
};
