import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { layoutDagGraph } from '../../src/web/ui/charts/graph-layout';
import { layoutGantt } from '../../src/web/ui/charts/gantt-layout';
import { buildDurationsChart } from '../../src/web/ui/charts/durations-chart';
import { aggregateState } from '../../src/web/ui/data/aggregate-state';
import { describeSchedule } from '../../src/web/ui/data/describe-schedule';
import { paramFields } from '../../src/web/ui/data/param-form';
import { readLogChunk } from '../../src/web/ui/data/read-log-chunk';
import { uiPaths } from '../../src/web/ui/ui-paths';
import { taskLogPath } from '../../src/logging/task-log-path';
import { makeDag, makeTask } from './helpers/ui-fixtures';
import { maskSensitiveExtra } from '../../src/core/secrets-masker';
import { isSensitiveName } from '../../src/core/sensitive-names';

describe('graph layout', () => {
  const grouped = () =>
    makeDag(
      'g',
      [
        makeTask('start'),
        makeTask('extract_a', { taskGroup: 'extract' }),
        makeTask('extract_b', { taskGroup: 'extract' }),
        makeTask('deep', { taskGroup: 'extract.inner' }),
        makeTask('end'),
      ],
      {},
      [
        ['start', 'extract_a'],
        ['start', 'extract_b'],
        ['extract_a', 'deep'],
        ['extract_b', 'end'],
        ['deep', 'end'],
      ],
    );

  it('places every task, left to right, with edges as paths', () => {
    const layout = layoutDagGraph(makeDag('c', [makeTask('a'), makeTask('b'), makeTask('c')]));
    const x = Object.fromEntries(layout.nodes.map((node) => [node.id, node.x]));
    expect(x.a).toBeLessThan(x.b);
    expect(x.b).toBeLessThan(x.c);
    expect(layout.edges).toHaveLength(2);
    expect(layout.edges[0].d).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    expect(layout.width).toBeGreaterThan(300);
  });

  it('draws expanded task groups as clusters around their tasks', () => {
    const layout = layoutDagGraph(grouped());
    expect(layout.groups).toEqual(['extract', 'extract.inner']);
    expect(layout.clusters.map((c) => c.groupId).sort()).toEqual(['extract', 'extract.inner']);
    const outer = layout.clusters.find((c) => c.groupId === 'extract')!;
    for (const id of ['extract_a', 'extract_b', 'deep']) {
      const node = layout.nodes.find((n) => n.id === id)!;
      expect(node.x).toBeGreaterThanOrEqual(outer.x);
      expect(node.x + node.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
    }
  });

  it('collapses a group into one box standing for all its tasks, merging edges', () => {
    const layout = layoutDagGraph(grouped(), new Set(['extract']));
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(['end', 'extract', 'start']);
    const box = layout.nodes.find((n) => n.id === 'extract')!;
    expect(box.kind).toBe('group');
    expect(box.taskIds.sort()).toEqual(['deep', 'extract_a', 'extract_b']);
    expect(box.sublabel).toBe('3 tasks');
    expect(layout.edges).toHaveLength(2);
    expect(layout.clusters).toHaveLength(0);
    const inner = layoutDagGraph(grouped(), new Set(['extract.inner']));
    expect(inner.nodes.find((n) => n.id === 'extract.inner')?.kind).toBe('group');
    expect(inner.clusters.map((c) => c.groupId)).toEqual(['extract']);
  });
});

describe('aggregate state of a collapsed group', () => {
  it('shows the most urgent state, and in-progress when only some tasks ran', () => {
    expect(aggregateState(['success', 'failed', 'running'])).toBe('failed');
    expect(aggregateState(['success', 'skipped'])).toBe('skipped');
    expect(aggregateState(['success', 'success'])).toBe('success');
    expect(aggregateState(['success', null])).toBe('scheduled');
    expect(aggregateState(['running', null])).toBe('running');
    expect(aggregateState([null, null])).toBeNull();
  });

  it('shows a failure even when a task not started and a running one come first', () => {
    expect(aggregateState(['running', 'failed', null])).toBe('failed');
    expect(aggregateState([null, 'success', 'up_for_retry', 'running'])).toBe('up_for_retry');
    expect(aggregateState(['skipped', null, 'removed'])).toBe('scheduled');
  });
});

describe('charts', () => {
  it('gantt: bars share one time axis; running tasks extend to now', () => {
    const now = new Date('2026-03-01T10:01:00Z');
    const gantt = layoutGantt(
      [
        {
          taskId: 'a',
          state: 'success',
          tryNumber: 1,
          startDate: new Date('2026-03-01T10:00:00Z'),
          endDate: new Date('2026-03-01T10:00:30Z'),
        },
        { taskId: 'b', state: 'running', tryNumber: 1, startDate: new Date('2026-03-01T10:00:30Z'), endDate: null },
        { taskId: 'c', state: null, tryNumber: 0, startDate: null, endDate: null },
      ],
      now,
    );
    expect(gantt.bars).toHaveLength(2);
    expect(gantt.bars[0].width).toBeCloseTo(gantt.bars[1].width, 5);
    expect(gantt.bars[1].x).toBeCloseTo(gantt.bars[0].x + gantt.bars[0].width, 5);
    expect(gantt.bars[1].durationSeconds).toBe(30);
    expect(gantt.notStarted).toEqual(['c']);
    expect(gantt.ticks.length).toBeGreaterThan(1);
  });

  it('durations: one series per task, higher durations drawn higher', () => {
    const chart = buildDurationsChart(
      ['a', 'b'],
      [
        { runId: 'r1', logicalDate: new Date('2026-03-01T00:00:00Z'), durations: { a: 10, b: 2 } },
        { runId: 'r2', logicalDate: new Date('2026-03-02T00:00:00Z'), durations: { a: 20 } },
      ],
    );
    expect(chart.series.map((s) => s.dots.length)).toEqual([2, 1]);
    const [a1, a2] = chart.series[0].dots;
    expect(a2.cy).toBeLessThan(a1.cy);
    expect(a2.cx).toBeGreaterThan(a1.cx);
    expect(chart.series[0].color).not.toBe(chart.series[1].color);
    expect(chart.yTicks[chart.yTicks.length - 1].label).toBe('20s');
  });
});

describe('display helpers', () => {
  it('describes schedules in words', () => {
    expect(describeSchedule({ kind: 'cron', expression: '0 12 * * *', timezone: 'UTC' })).toBe('At 12:00');
    expect(describeSchedule({ kind: 'cron', expression: '*/5 * * * *', timezone: 'Europe/Paris' })).toBe(
      'Every 5 minutes (Europe/Paris)',
    );
    expect(describeSchedule({ kind: 'interval', everyMs: 1_800_000 })).toBe('Every 30 minutes');
    expect(describeSchedule({ kind: 'interval', everyMs: 3_600_000 })).toBe('Every hour');
    expect(describeSchedule({ kind: 'once' })).toBe('Once');
    expect(describeSchedule({ kind: 'none' })).toBe('Manual only');
  });

  it('masks secrets in names and in connection extras', () => {
    expect(isSensitiveName('DB_PASSWORD')).toBe(true);
    expect(isSensitiveName('region')).toBe(false);
    // Beyond contract §1's list, as the API masked before the lists became one.
    for (const key of ['gcp_credentials', 'aws_access_key_id', 'keyfile_dict', 'service_account_json'])
      expect(isSensitiveName(key)).toBe(true);
    expect(isSensitiveName('ACCOUNT_PIN', ['pin'])).toBe(true);
    expect(JSON.parse(maskSensitiveExtra('{"token":"t","nested":{"client_secret":"s","host":"h"}}', [])!)).toEqual({
      token: '***',
      nested: { client_secret: '***', host: 'h' },
    });
    expect(JSON.parse(maskSensitiveExtra('{"pin_code":"1234","host":"h"}', ['pin'])!)).toEqual({
      pin_code: '***',
      host: 'h',
    });
    expect(maskSensitiveExtra('not json with password=x', [])).toBe('***');
  });

  it('turns params (plain values and Param-like objects) into trigger form fields with their defaults', () => {
    const params = {
      n: 3,
      mode: { value: 'full', type: 'string', description: 'd' },
      opt: { default: null, type: ['null', 'string'] },
      obj: { a: 1 },
    };
    const fields = paramFields({ params });
    expect(fields.map((f) => [f.name, f.widget, f.value])).toEqual([
      ['n', 'number', '3'],
      ['mode', 'text', 'full'],
      ['opt', 'text', ''],
      ['obj', 'json', '{\n  "a": 1\n}'],
    ]);
    expect(fields[1].description).toBe('d');
  });
});

describe('readLogChunk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-ui-log-'));
  const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
  const file = taskLogPath(dir, key, 1);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never splits a UTF-8 character between chunks', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'aé€😀z');
    let offset = 0;
    let text = '';
    const size = fs.statSync(file).size;
    for (let i = 0; i < 20 && offset < size; i++) {
      const chunk = readLogChunk(dir, key, 1, offset, 2);
      expect(chunk.nextOffset).toBeGreaterThan(offset);
      text += chunk.content;
      offset = chunk.nextOffset;
    }
    expect(text).toBe('aé€😀z');
    const whole = readLogChunk(dir, key, 1, 0);
    expect(whole).toMatchObject({ content: 'aé€😀z', exists: true, nextOffset: Buffer.byteLength('aé€😀z') });
  });

  it('reports a missing log as empty', () => {
    expect(readLogChunk(dir, key, 7, 0)).toEqual({ content: '', nextOffset: 0, size: 0, exists: false });
  });
});

describe('ui paths', () => {
  it('finds views and static assets next to the running code (src/ under jest)', () => {
    const src = path.resolve(__dirname, '..', '..', 'src');
    expect(uiPaths().views).toBe(path.join(src, 'web', 'ui', 'views'));
    expect(fs.existsSync(path.join(uiPaths().views, 'layout.njk'))).toBe(true);
    expect(fs.existsSync(path.join(uiPaths().static, 'ui.css'))).toBe(true);
  });
});
