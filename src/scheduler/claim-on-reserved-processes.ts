import type { EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import type { Executor, StartReservation, TaskWorkload } from '../core/executor';
import { claimTryStartsIn } from '../db/transitions/claim-try-start';
import { tiKeyString } from '../core/task-instance-key';

/** A queued try on its way to the executor, with the process it was claimed on (if any). */
export interface HandOver {
  workload: TaskWorkload;
  reservation?: StartReservation;
}

/**
 * Claims the tries the executor can start at once in the loop's own transaction, right after they
 * were queued: each gets an idle task process set aside for it, and the guarded queued → running
 * claim (claimTryStartsIn, with that process's pid; one statement for them all on PostgreSQL)
 * commits together with the queueing. After the commit the try goes straight to its process;
 * without this it would wait for a claim transaction of its own. The rest are handed over
 * unclaimed and claimed by the executor as usual.
 *
 * Every reservation made is pushed to `made` as it is made, so that a caller whose transaction
 * fails can give them all back (a rolled-back claim must not keep a process from other tries).
 */
export async function claimOnReservedProcesses(
  m: EntityManager,
  executor: Executor,
  workloads: TaskWorkload[],
  jobId: number | null,
  clock: Clock,
  made: StartReservation[],
): Promise<HandOver[]> {
  if (jobId === null || !executor.reserveStarts || !workloads.length)
    return workloads.map((workload) => ({ workload }));
  // A task instance whose earlier try the executor still holds (being stopped, say) cannot start
  // there now: claimed, its new try would be running with no process to run it.
  const held = new Set(executor.runningKeys().map(({ key }) => tiKeyString(key)));
  const claimable = workloads.filter((workload) => !held.has(tiKeyString(workload.key)));
  const reservations = executor.reserveStarts(claimable.length);
  made.push(...reservations);
  const reservationOf = new Map(claimable.slice(0, reservations.length).map((w, i) => [w, reservations[i]]));
  const at = clock.now();
  const reserved = [...reservationOf];
  const won = await claimTryStartsIn(
    m,
    reserved.map(([workload, reservation]) => ({
      key: workload.key,
      tryNumber: workload.tryNumber,
      start: { at, hostname: reservation.hostname, pid: reservation.pid, queuedByJobId: jobId },
    })),
  );
  const claimed = new Set<TaskWorkload>();
  reserved.forEach(([workload, reservation], i) => {
    if (won[i]) claimed.add(workload);
    // Not ours to start any more (cannot happen right after queueing it, but the guard decides):
    // handed over unclaimed, its own claim is refused as well and nothing runs.
    else reservation.release();
  });
  return workloads.map((workload) =>
    claimed.has(workload) ? { workload, reservation: reservationOf.get(workload) } : { workload },
  );
}
