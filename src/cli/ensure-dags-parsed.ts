import fs from 'node:fs';
import type { AppContext } from '../app/app-context';
import { DagEntity } from '../db/entities';
import type { ParseSummary } from '../parsing/dag-processor-manager';

/** True when the DAG is known, active, and its file has not changed since it was parsed. */
async function isFresh(ctx: AppContext, dagId: string): Promise<boolean> {
  const dag = await ctx.dataSource.getRepository(DagEntity).findOneBy({ dagId });
  if (!dag || !dag.isActive || !dag.lastParsedTime) return false;
  try {
    // ctime too: a file moved over this one (`mv`, `git checkout`) may keep an older mtime.
    const stat = fs.statSync(dag.fileloc);
    return Math.max(stat.mtimeMs, stat.ctimeMs) <= dag.lastParsedTime.getTime();
  } catch {
    return false;
  }
}

/**
 * Bring the DB in step with the dags folder before a command that needs DAGs, as `airflow dags
 * list` parses the folder. Incremental: unchanged files are not imported again, and nothing at
 * all happens when the one DAG the command needs is known and its file unchanged.
 */
export async function ensureDagsParsed(ctx: AppContext, dagId?: string): Promise<ParseSummary | null> {
  if (dagId !== undefined && (await isFresh(ctx, dagId))) return null;
  if (!fs.existsSync(ctx.config.core.dags_folder)) return null;
  const { DagProcessorManager } = await import('../parsing/dag-processor-manager');
  const manager = new DagProcessorManager(ctx);
  try {
    return await manager.parseAll();
  } finally {
    await manager.stop();
  }
}
