import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/app-context';
import { DagEntity } from '../db/entities';
import type { ParseSummary } from '../parsing/dag-processor-manager';

type DagRow = Pick<DagEntity, 'fileloc' | 'isActive' | 'lastParsedTime'>;

function findDag(ctx: AppContext, dagId: string): Promise<DagRow | null> {
  return ctx.dataSource.getRepository(DagEntity).findOneBy({ dagId });
}

/** True when the DAG is known, active, and its file has not changed since it was parsed. */
function isFresh(dag: DagRow): boolean {
  if (!dag.isActive || !dag.lastParsedTime) return false;
  try {
    // ctime too: a file moved over this one (`mv`, `git checkout`) may keep an older mtime.
    const stat = fs.statSync(dag.fileloc);
    return Math.max(stat.mtimeMs, stat.ctimeMs) <= dag.lastParsedTime.getTime();
  } catch {
    return false;
  }
}

/** The DAG's recorded file, when it still exists inside the dags folder (else the folder decides). */
function ownFile(ctx: AppContext, dag: DagRow): string | null {
  const relative = path.relative(path.resolve(ctx.config.core.dags_folder), path.resolve(dag.fileloc));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return fs.existsSync(dag.fileloc) ? dag.fileloc : null;
}

/**
 * Bring the DB in step with the dags folder before a command that needs DAGs, as `airflow dags
 * list` parses the folder. Incremental: unchanged files are not imported again, and nothing at
 * all happens when the one DAG the command needs is known and its file unchanged. A known DAG
 * whose file changed is brought up to date by importing that file alone, so one slow unrelated
 * file never delays the command; only an unknown DAG (or one that left its file) needs the folder.
 */
export async function ensureDagsParsed(ctx: AppContext, dagId?: string): Promise<ParseSummary | null> {
  const known = dagId !== undefined ? await findDag(ctx, dagId) : null;
  if (known && isFresh(known)) return null;
  if (!fs.existsSync(ctx.config.core.dags_folder)) return null;
  const { DagProcessorManager } = await import('../parsing/dag-processor-manager');
  const manager = new DagProcessorManager(ctx);
  try {
    const file = known ? ownFile(ctx, known) : null;
    if (file !== null && dagId !== undefined) {
      const summary = await manager.parseFiles([file]);
      // A file that fails to import is the command's answer; the rest of the folder cannot help.
      if (summary.importErrors[file] !== undefined) return summary;
      const after = await findDag(ctx, dagId);
      if (after?.isActive && after.fileloc === file) return summary;
    }
    return await manager.parseAll();
  } finally {
    await manager.stop();
  }
}
