import request from 'supertest';
import { createApiTestApp, seedDag } from './helpers/api-test-app';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { execSql } from '../../src/db/sql';

it('perf2', async () => {
  const t = await createApiTestApp('sqlite');
  for (let i = 0; i < 1000; i++) {
    await seedDag(t.ds, makeDag(`dag_${String(i).padStart(4, '0')}`, [makeTask('a')], { scheduleText: '0 12 * * *', tags: ['t'], fileloc: `/dags/f${i}.ts` }));
  }
  await request(t.app).get('/api/v1/dags?limit=100').set('Authorization', t.basic('viewer'));
  let start = Date.now();
  for (let i = 0; i < 100; i++) await request(t.app).get('/api/v1/dags?limit=100').set('Authorization', t.basic('viewer'));
  console.log('request ms', (Date.now() - start) / 100);
  start = Date.now();
  for (let i = 0; i < 100; i++) await execSql(t.ds, 'SELECT COUNT(*) AS n FROM dag d WHERE d.is_active = ?', [true]);
  console.log('count ms', (Date.now() - start) / 100);
  start = Date.now();
  for (let i = 0; i < 100; i++) await execSql(t.ds, `SELECT d.dag_id, d.tags, CASE WHEN EXISTS (SELECT 1 FROM import_error ie WHERE ie.filename = d.fileloc) THEN 1 ELSE 0 END AS h FROM dag d WHERE d.is_active = ? ORDER BY d.dag_id ASC NULLS FIRST, d.dag_id ASC LIMIT 100 OFFSET 0`, [true]);
  console.log('page ms', (Date.now() - start) / 100);
  start = Date.now();
  for (let i = 0; i < 100; i++) await request(t.app).get('/api/v1/version').set('Authorization', t.basic('viewer'));
  console.log('version ms', (Date.now() - start) / 100);
  await t.close();
}, 120000);
