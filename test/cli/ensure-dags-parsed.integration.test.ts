import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { DagEntity } from '../../src/db/entities';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

jest.setTimeout(120_000);

/** A DAG file that appends its DAG id to `log` on every import. */
function loggedDag(log: string, dagId: string, description: string): string {
  return [
    "import { appendFileSync } from 'node:fs';",
    "import { DAG, EmptyOperator } from 'dagctl';",
    `appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(`${dagId}\n`)});`,
    `const dag = new DAG(${JSON.stringify(dagId)}, {`,
    `  description: ${JSON.stringify(description)},`,
    '  schedule: null,',
    "  startDate: '2026-01-01T00:00:00Z',",
    '});',
    "new EmptyOperator({ taskId: 'only', dag });",
    'export default dag;',
    '',
  ].join('\n');
}

describe('ensureDagsParsed before a command on one DAG', () => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let log: string;
  const imports = (dagId: string) =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line === dagId).length
      : 0;
  const dagRow = (dagId: string) => ctx.dataSource.getRepository(DagEntity).findOneBy({ dagId });

  beforeEach(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({ databaseUrl: db.url });
    log = path.join(home.home, 'imports.log');
    ctx = await openTestContext(home);
  });
  afterEach(async () => {
    await closeAppContext(ctx);
    home.remove();
    await db.drop();
  });

  it('imports only the known DAG file, never a slow unrelated one; an unknown DAG parses the folder', async () => {
    home.writeDag('fast.ts', loggedDag(log, 'fast', 'v1'));
    await ensureDagsParsed(ctx);
    expect(imports('fast')).toBe(1);

    // A slow file: a busy loop at import (what a heavy top-level computation does), logged first.
    home.writeDag(
      'slow.ts',
      `${loggedDag(log, 'slow', 'slow')}const until = Date.now() + 2000;\nwhile (Date.now() < until) {}\n`,
    );
    // Written after its last parse: the command must import it again to see v2.
    home.writeDag('fast.ts', loggedDag(log, 'fast', 'v2'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(home.dagsFolder, 'fast.ts'), later, later);

    const summary = await ensureDagsParsed(ctx, 'fast');
    expect(summary?.filesParsed).toBe(1);
    expect(imports('fast')).toBe(2);
    expect((await dagRow('fast'))?.description).toBe('v2');
    const run = await triggerDagRun(ctx, { dagId: 'fast', runType: 'manual' });
    expect(run.dagId).toBe('fast');
    // The slow file was never imported by the command on the known DAG.
    expect(imports('slow')).toBe(0);

    // Unknown DAG: only the whole folder can say whether it exists.
    await ensureDagsParsed(ctx, 'slow');
    expect(imports('slow')).toBe(1);
    expect((await dagRow('slow'))?.isActive).toBe(true);
  });

  it('a DAG that moved to another file is found by parsing the folder', async () => {
    home.writeDag('first.ts', loggedDag(log, 'mover', 'here'));
    await ensureDagsParsed(ctx);
    fs.rmSync(path.join(home.dagsFolder, 'first.ts'));
    home.writeDag('first.ts', loggedDag(log, 'other', 'now other'));
    home.writeDag('second.ts', loggedDag(log, 'mover', 'moved'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(home.dagsFolder, 'first.ts'), later, later);

    await ensureDagsParsed(ctx, 'mover');
    const row = await dagRow('mover');
    expect(row).toMatchObject({
      isActive: true,
      description: 'moved',
      fileloc: path.join(home.dagsFolder, 'second.ts'),
    });
  });
});
