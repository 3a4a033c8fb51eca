import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DagRunEntity } from '../../src/db/entities';
import { taskLogPath } from '../../src/logging/task-log-path';
import { VIEWER, uiTestAppFor, makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

const DOCS =
  '# Orders\n\n- loads *orders*\n\n<script>alert("doc")</script><img src=x onerror=alert(1)>\n' +
  '[bad](javascript:alert(2))';

describe('UI grid (durations, groups, mapped tasks), calendar and DAG docs', () => {
  const t = uiTestAppFor('all');

  beforeAll(async () => {
    const dag = makeDag(
      'shop',
      [
        makeTask('start'),
        makeTask('etl.extract', { taskGroup: 'etl' }),
        makeTask('etl.process', { taskGroup: 'etl', mapped: { args: [{ name: 'x', literal: [1, 2, 3] }] } }),
        makeTask('end'),
      ],
      { docMd: DOCS },
    );
    await seedDag(t.ds, dag);
    // three runs lasting 1, 2 and 4 minutes, on two days
    for (const [runId, day, minutes, state] of [
      ['r1', '2026-02-27T12:00:00.000Z', 1, 'success'],
      ['r2', '2026-02-28T12:00:00.000Z', 2, 'failed'],
      ['r3', '2026-02-28T18:00:00.000Z', 4, 'success'],
    ] as const) {
      await seedRun(t.ds, 'shop', runId, state, day);
      await t.ds
        .getRepository(DagRunEntity)
        .update({ dagId: 'shop', runId }, { endDate: new Date(new Date(day).getTime() + minutes * 60_000) });
    }
    await t.ds.getRepository(DagRunEntity).update({ dagId: 'shop', runId: 'r1' }, { lateSeconds: 120 });
    await seedTi(t.ds, 'shop', 'r2', 'etl.extract', 'success');
    await seedTi(t.ds, 'shop', 'r2', 'etl.process', 'success', { mapIndex: 0 });
    await seedTi(t.ds, 'shop', 'r2', 'etl.process', 'success', { mapIndex: 1 });
    await seedTi(t.ds, 'shop', 'r2', 'etl.process', 'failed', { mapIndex: 2 });
    const log = taskLogPath(t.logDir, { dagId: 'shop', runId: 'r2', taskId: 'etl.process', mapIndex: 2 }, 1);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, 'map index two failed\n');
  });

  const get = (url: string) => request(t.app).get(url).set('x-test-user', VIEWER);

  it('grid.json: bars scaled by duration, axis dates, group rows and states, mapped counts', async () => {
    const { body } = await get('/ui/dags/shop/grid.json');
    expect(body.runs.map((r: { barPercent: number }) => r.barPercent)).toEqual([25, 50, 100]);
    expect(body.runs.map((r: { axisLabel: string }) => r.axisLabel)).toEqual([
      '02-27 12:00',
      '02-28 12:00',
      '02-28 18:00',
    ]);
    expect(body.runs[2].durationSeconds).toBe(240);
    expect(body.runs[1].tooltip).toContain('Run: r2\nState: failed\nType: manual');
    expect(body.rows.map((r: { kind: string; id: string }) => `${r.kind}:${r.id}`)).toEqual([
      'task:start',
      'group:etl',
      'task:etl.extract',
      'task:etl.process',
      'task:end',
    ]);
    const r2 = body.runs[1];
    expect(r2.cells['etl.process']).toEqual({
      state: 'failed',
      tryNumber: 1,
      held: false,
      mapped: { total: 3, counts: { success: 2, failed: 1 }, text: '2 ✓ / 1 ✗' },
    });
    expect(r2.groups.etl).toEqual({ state: 'failed' });
  });

  it('the grid page: dated run axis (not "Task"), bar heights, hover text, group toggle, mapped cell', async () => {
    const res = await get('/dags/shop/grid');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<th class="task-col">Task</th>');
    expect(res.text).toContain('>Runs <span class="muted small">(height: duration)</span>');
    expect(res.text).toMatch(/style="height: 25%" title="Run: r1\nState: success\nType: manual\n/);
    expect(res.text).toContain('<span>02-28 18:00</span>');
    // a late run's flag sits above its bar, so the bars keep one baseline
    expect(res.text).toMatch(/>L<\/span><div class="bar-box"><a class="run-bar state-success" href="\?run_id=r1"/);
    expect(res.text).toContain('<button type="button" class="group-toggle" aria-expanded="true" data-group="etl">');
    expect(res.text).toContain('data-counts="2 ✓ / 1 ✗"');
    expect(res.text).toContain('Calendar</a>');
    // docs rendered above the grid, without the DAG file's HTML
    expect(res.text).toContain('<h1>Orders</h1>');
    expect(res.text).not.toContain('<script>alert("doc")');
    expect(res.text).not.toMatch(/<img[^>]*onerror/);
  });

  it('mapped.json lists the instances of a mapped task; the task page shows each map index and its log', async () => {
    const { body } = await get('/ui/dags/shop/runs/r2/tasks/etl.process/mapped.json');
    expect(body).toEqual({
      taskId: 'etl.process',
      instances: [
        { mapIndex: 0, state: 'success', tryNumber: 1 },
        { mapIndex: 1, state: 'success', tryNumber: 1 },
        { mapIndex: 2, state: 'failed', tryNumber: 1 },
      ],
    });
    expect((await get('/ui/dags/shop/runs/r2/tasks/nope/mapped.json')).status).toBe(404);
    const page = await get('/dags/shop/runs/r2/tasks/etl.process?map_index=2');
    expect(page.status).toBe(200);
    expect(page.text).toContain('map index <b class="map-index">2</b>');
    expect(page.text).toContain('Mapped task instances (3)');
    expect(page.text).toContain('href="/dags/shop/runs/r2/tasks/etl.process?map_index=1#logs"');
    expect(page.text).toContain('map index two failed');
    const tail = await get('/ui/logs?dag_id=shop&run_id=r2&task_id=etl.process&map_index=2&try_number=1&offset=0');
    expect(tail.body).toMatchObject({ content: 'map index two failed\n', more: false, state: 'failed' });
  });

  it('the calendar: days coloured by their runs, counts on hover, linked from the DAG tabs', async () => {
    const res = await get('/dags/shop/calendar');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a href="/dags/shop/calendar" class="active">Calendar</a>');
    expect(res.text).toContain('data-year="2026"');
    expect(res.text).toMatch(/class="cal-day state-success has-runs" data-date="2026-02-27" data-total="1"/);
    expect(res.text).toMatch(
      new RegExp(
        'class="cal-day state-failed has-runs" data-date="2026-02-28" data-total="2"\\s+' +
          'title="2026-02-28: 1 failed, 1 success"',
      ),
    );
    expect(res.text).toMatch(
      /class="cal-day state-none" data-date="2026-03-01" data-total="0"\s+title="2026-03-01: no run"/,
    );
    expect((await get('/dags/nope/calendar')).status).toBe(404);
  });

  it('details render docMd as sanitized Markdown', async () => {
    const res = await get('/dags/shop/details');
    expect(res.text).toContain('<div class="doc-md" id="dag-docs"><h1>Orders</h1>');
    expect(res.text).toContain('<li>loads <em>orders</em></li>');
    expect(res.text).toContain('<p>&lt;script&gt;alert("doc")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(res.text).not.toContain('href="javascript');
  });
});
