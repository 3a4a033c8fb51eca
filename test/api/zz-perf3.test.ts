import { dagJson } from '../../src/api/serializers/dag-json';
import { timetableDescription } from '../../src/api/serializers/schedule-interval';
import { fileToken } from '../../src/api/file-token';

it('perf3', () => {
  const row = { dag_id: 'x', is_paused: 0, is_active: 1, fileloc: '/dags/x.ts', description: 'd', schedule: '0 12 * * *', tags: '["t"]', owners: 'a', max_active_runs: 16, max_active_tasks: 16, last_parsed_time: '2026-01-01T00:00:00.000Z', has_import_errors: 0 };
  let start = performance.now();
  for (let i = 0; i < 20000; i++) dagJson(row, 'secret');
  console.log('dagJson ms per 100', (performance.now() - start) / 200);
  start = performance.now();
  for (let i = 0; i < 1000; i++) timetableDescription('0 12 * * *');
  console.log('desc ms per 100', (performance.now() - start) / 10);
  start = performance.now();
  for (let i = 0; i < 1000; i++) fileToken('secret', '/dags/x.ts');
  console.log('token ms per 100', (performance.now() - start) / 10);
});
