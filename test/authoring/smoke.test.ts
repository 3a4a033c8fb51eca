import { loadDagFile } from '../../src/authoring/load-dag-file';
test('smoke', async () => {
  for (const f of ['/work/main/dags/hello_world.ts', '/tmp/h1x/dags/a.ts', '/tmp/h1x/dags/bad.ts', '/tmp/h1x/dags/throw.ts', '/tmp/h1x/dags/a.ts']) {
    const t = Date.now();
    await loadDagFile(f, {fresh: true}).then((d) => console.log(Date.now() - t, d.map((x) => x.dagId)), (e) => console.log(Date.now() - t, e.message));
  }
});
