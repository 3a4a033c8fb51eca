import type { DataSource } from 'typeorm';
import { execSql } from '../../../src/db/sql';
import { Effect, instanceKey, processAlive, tryKey } from './side-effects';

/** The figures of one scenario: one JSON line of the results file, one row of docs/RELIABILITY.md. */
export interface FaultFigures {
  scenario: string;
  injected: string;
  workload: string;
  /** Runs not in their expected final state, and successful task instances whose try never ran. */
  lost: number;
  /** (task, run, try) executed more than once. */
  duplicated: number;
  /** Tries of one task instance running at the same time (seen live, or by their recorded times). */
  overlapping: number;
  /** Runs or task instances left queued or running. */
  stuck: number;
  /** Processes of finished tries still alive. */
  lingering: number;
  integrity: string;
  result: string;
  details: string[];
}

export interface Expectation {
  /** dagId → the state every run of it must end in (default success). */
  runStates?: Record<string, 'success' | 'failed'>;
}

/** Every try of a run that ended otherwise than expected, with how it ended: what a failure report needs. */
async function tryEndsOf(ds: DataSource, dagId: string, runId: string): Promise<string> {
  const { records } = await execSql<{
    task_id: string;
    try_number: number;
    state: string | null;
    end_reason: string | null;
  }>(
    ds,
    `SELECT task_id, try_number, state, end_reason FROM task_instance_history WHERE dag_id = ? AND run_id = ?
     UNION ALL
     SELECT task_id, try_number, state, end_reason FROM task_instance WHERE dag_id = ? AND run_id = ?
     ORDER BY task_id, try_number`,
    [dagId, runId, dagId, runId],
  );
  return records
    .map((r) => `${r.task_id}#${r.try_number} ${r.state}${r.end_reason ? ` (${r.end_reason})` : ''}`)
    .join(', ');
}

/** Check every invariant of the fault suite once the workload is over. */
export async function checkInvariants(
  ds: DataSource,
  effects: Effect[],
  dagIds: string[],
  expectation: Expectation = {},
): Promise<Omit<FaultFigures, 'scenario' | 'injected' | 'workload' | 'result'>> {
  const details: string[] = [];
  const marks = dagIds.map(() => '?').join(', ');
  const { records: runs } = await execSql<{ dag_id: string; run_id: string; state: string }>(
    ds,
    `SELECT dag_id, run_id, state FROM dag_run WHERE dag_id IN (${marks})`,
    dagIds,
  );
  const { records: tis } = await execSql<{
    dag_id: string;
    run_id: string;
    task_id: string;
    state: string | null;
    try_number: number;
  }>(ds, `SELECT dag_id, run_id, task_id, state, try_number FROM task_instance WHERE dag_id IN (${marks})`, dagIds);

  let lost = 0;
  let stuck = 0;
  for (const run of runs) {
    const expected = expectation.runStates?.[run.dag_id] ?? 'success';
    if (run.state === 'queued' || run.state === 'running') {
      stuck += 1;
      details.push(`run ${run.dag_id}/${run.run_id} is ${run.state}`);
    } else if (run.state !== expected) {
      lost += 1;
      details.push(
        `run ${run.dag_id}/${run.run_id} ended ${run.state}, expected ${expected}; ` +
          (await tryEndsOf(ds, run.dag_id, run.run_id)),
      );
    }
  }
  const started = new Map<string, Effect[]>();
  for (const e of effects.filter((x) => x.phase === 'start'))
    started.set(tryKey(e), [...(started.get(tryKey(e)) ?? []), e]);
  for (const ti of tis) {
    const key = `${ti.dag_id}/${ti.run_id}/${ti.task_id}`;
    if (ti.state === 'queued' || ti.state === 'running') {
      stuck += 1;
      details.push(`task instance ${key} is ${ti.state}`);
    }
    if (ti.state === 'success' && !started.has(`${key}#${Number(ti.try_number)}`)) {
      lost += 1;
      details.push(`task instance ${key} succeeded at try ${ti.try_number}, which never ran`);
    }
  }

  const duplicates = [...started].filter(([, starts]) => starts.length > 1);
  for (const [key, starts] of duplicates) details.push(`${key} ran ${starts.length} times`);

  const overlaps = effects.filter((e) => e.phase === 'overlap');
  for (const o of overlaps) details.push(`${tryKey(o)} started while process ${o.extra} of an earlier try was alive`);
  const timedOverlaps = overlappingIntervals(effects);
  details.push(...timedOverlaps);

  const ended = new Set(effects.filter((e) => e.phase === 'end').map(tryKey));
  const lingering = effects.filter((e) => {
    // A JS try that ended by itself leaves its (reused) pool process: that one may live on.
    const mayLive = e.phase === 'start' && e.extra === 'js' && ended.has(tryKey(e));
    return (e.phase === 'start' || e.phase === 'child') && !mayLive && processAlive(e.pid);
  });
  for (const e of lingering) details.push(`process ${e.pid} of ${tryKey(e)} (${e.phase}) is still alive`);

  let integrity = 'n/a';
  if (ds.options.type === 'better-sqlite3') {
    const { records } = await execSql<{ integrity_check: string }>(ds, 'PRAGMA integrity_check');
    integrity = records.map((r) => r.integrity_check).join('; ');
    if (integrity !== 'ok') details.push(`integrity_check: ${integrity}`);
  }

  return {
    lost,
    duplicated: duplicates.length,
    overlapping: overlaps.length + timedOverlaps.length,
    stuck,
    lingering: lingering.length,
    integrity,
    details,
  };
}

/** Two tries of one task instance whose recorded [start, end] intervals intersect. */
function overlappingIntervals(effects: Effect[]): string[] {
  const ends = new Map(effects.filter((e) => e.phase === 'end').map((e) => [tryKey(e), e.ms]));
  const byInstance = new Map<string, Array<{ tryNumber: number; start: number; end: number }>>();
  for (const e of effects.filter((x) => x.phase === 'start')) {
    const end = ends.get(tryKey(e));
    if (end === undefined) continue;
    const list = byInstance.get(instanceKey(e)) ?? [];
    list.push({ tryNumber: e.tryNumber, start: e.ms, end });
    byInstance.set(instanceKey(e), list);
  }
  const found: string[] = [];
  for (const [key, tries] of byInstance) {
    tries.sort((a, b) => a.start - b.start);
    for (let i = 1; i < tries.length; i += 1)
      if (tries[i].start < tries[i - 1].end && tries[i].tryNumber !== tries[i - 1].tryNumber)
        found.push(`${key}: try ${tries[i].tryNumber} started before try ${tries[i - 1].tryNumber} ended`);
  }
  return found;
}

/** pass, or FAIL naming what broke. */
export function verdict(
  f: Pick<FaultFigures, 'lost' | 'duplicated' | 'overlapping' | 'stuck' | 'lingering' | 'integrity'>,
): string {
  const broken = [
    f.lost && `${f.lost} lost`,
    f.duplicated && `${f.duplicated} duplicated`,
    f.overlapping && `${f.overlapping} overlapping`,
    f.stuck && `${f.stuck} stuck`,
    f.lingering && `${f.lingering} processes left alive`,
    f.integrity !== 'ok' && f.integrity !== 'n/a' && `integrity_check: ${f.integrity}`,
  ].filter(Boolean);
  return broken.length ? `FAIL (${broken.join(', ')})` : 'pass';
}
