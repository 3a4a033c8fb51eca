import autocannon from 'autocannon';
import { startWebServer } from '../../src/web/server';
import { execSql } from '../../src/db/sql';
import { createApiTestApp } from './helpers/api-test-app';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { seedDag } from './helpers/api-test-app';

it('perf', async () => {
  const t = await createApiTestApp((process.env.PERF_DB as 'sqlite') ?? 'sqlite');
  for (let i = 0; i < 1000; i++) {
    await seedDag(t.ds, makeDag(`dag_${String(i).padStart(4, '0')}`, [makeTask('a'), makeTask('b', ['a'])], { scheduleText: i % 2 ? '0 12 * * *' : '@daily', tags: ['t' + (i % 10)], description: 'desc ' + i, fileloc: `/dags/f${i}.ts` }));
  }
  await execSql(t.ds, "INSERT INTO import_error (filename, stacktrace, timestamp) VALUES ('/dags/f3.ts', 'x', '2026-01-01T00:00:00Z')");
  const server = await startWebServer(t.ctx, { port: 0, ui: false });
  const run = (connections: number) => autocannon({ url: `${server.url}/api/v1/dags?limit=100`, connections, duration: 4, headers: { authorization: t.basic('viewer') } });
  const show = (name: string, result: autocannon.Result) => console.log(name, JSON.stringify({ p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx }));
  show('version', await autocannon({ url: `${server.url}/api/v1/version`, connections: 10, duration: 4, headers: { authorization: t.basic('viewer') } }));
  show('health', await autocannon({ url: `${server.url}/health`, connections: 10, duration: 4 }));
  show('dags10', await run(10)); show('dags50', await run(50));
  await server.close();
  await t.close();
}, 120000);
