import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sanitizeLogComponent, taskLogPath } from '../../src/logging/task-log-path';
import { TaskLogWriter } from '../../src/logging/task-log-writer';

describe('task log files', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-log-'));
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it("follows Airflow's layout, with map_index only for mapped tasks", () => {
    const key = { dagId: 'etl', runId: 'scheduled__2026-01-01T00:00:00+00:00', taskId: 'load', mapIndex: -1 };
    expect(taskLogPath(base, key, 3)).toBe(
      path.join(base, 'dag_id=etl', 'run_id=scheduled__2026-01-01T00:00:00+00:00', 'task_id=load', 'attempt=3.log'),
    );
    expect(taskLogPath(base, { ...key, mapIndex: 2 }, 1)).toBe(
      path.join(
        base,
        'dag_id=etl',
        'run_id=scheduled__2026-01-01T00:00:00+00:00',
        'task_id=load',
        'map_index=2',
        'attempt=1.log',
      ),
    );
  });

  it('never lets an id escape the base folder', () => {
    const file = taskLogPath(base, { dagId: '../../etc', runId: '../x/../../y', taskId: 'a\\b\0c', mapIndex: -1 }, 1);
    expect(file.startsWith(base + path.sep)).toBe(true);
    expect(path.relative(base, file).split(path.sep)).toHaveLength(4);
    expect(file).not.toContain('..');
    expect(sanitizeLogComponent('..')).toBe('__');
    expect(sanitizeLogComponent('')).toBe('_');
  });

  it('appends, caps task output with one notice line, and always writes its own lines', () => {
    const file = path.join(base, 'nested', 'attempt=1.log');
    const first = new TaskLogWriter(file, { maxBytes: 100 });
    first.writeSystem('header');
    first.close();
    const writer = new TaskLogWriter(file, { maxBytes: 100 });
    writer.write('a'.repeat(60));
    writer.write(Buffer.from('b'.repeat(60)));
    writer.write('c'.repeat(1000));
    expect(writer.truncated).toBe(true);
    writer.writeSystem('footer');
    writer.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('header\n' + 'a'.repeat(60) + 'b'.repeat(33) + '\n[dagctl] log truncated')).toBe(true);
    expect(text).not.toContain('ccc');
    expect(text.endsWith('footer\n')).toBe(true);
    expect(text.match(/log truncated/g)).toHaveLength(1);
  });

  it('reports a log that cannot be written once and keeps going', () => {
    const blocker = path.join(base, 'a-file');
    fs.writeFileSync(blocker, '');
    const errors: string[] = [];
    const writer = new TaskLogWriter(path.join(blocker, 'attempt=1.log'), {
      maxBytes: 100,
      onError: (err) => errors.push(err.message),
    });
    writer.write('lost');
    writer.writeSystem('lost too');
    writer.close();
    expect(errors).toHaveLength(1);
  });
});
