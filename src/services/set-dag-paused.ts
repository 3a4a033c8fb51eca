import { DagEntity } from '../db/entities';
import { recordAuditEvent } from './audit-log';
import { requireDag } from './require-dag';
import type { ServiceContext } from './service-context';
import { runInTransaction } from '../db/transaction';

export interface SetDagPausedResult {
  dagId: string;
  isPaused: boolean;
  /** False when the DAG already was in the requested state. */
  changed: boolean;
}

/** Pause or unpause a DAG. Guarded: only a row in the other state moves. */
export async function setDagPaused(
  ctx: ServiceContext,
  dagId: string,
  paused: boolean,
  actor?: string,
): Promise<SetDagPausedResult> {
  return runInTransaction(ctx.dataSource, async (tx) => {
    await requireDag(tx, dagId);
    const result = await tx
      .createQueryBuilder()
      .update(DagEntity)
      .set({ isPaused: paused })
      .where('dag_id = :dagId AND is_paused = :from', { dagId, from: !paused })
      .execute();
    const changed = (result.affected ?? 0) > 0;
    if (changed)
      await recordAuditEvent(tx, ctx.clock, {
        event: paused ? 'paused' : 'unpaused',
        dagId,
        actor: actor ?? ctx.actor,
      });
    return { dagId, isPaused: paused, changed };
  });
}
