/**
 * `dagctl scheduler` with a stopwatch: runs the real runScheduler in this process and records how
 * long each scheduler loop took (SchedulerLoop.tick, wrapped — nothing else changes). On SIGTERM
 * it stops the scheduler like the CLI does and writes the loop records to the file named by
 * argv[2] as JSON: [{ at, durationMs, events, queued }]. With DAGCTL_BENCH_SQL_PROFILE=<file> it
 * also writes the time spent per SQL statement (SQLite and PostgreSQL) there.
 * Run with jiti: node node_modules/jiti/lib/jiti-cli.mjs scripts/bench/scheduler-probe.ts <out.json>
 */
import fs from 'node:fs';
import { engine, LoopStats } from './engine';
import { installSqlProfiler, SqlProfileEntry } from './sql-profiler';

interface LoopRecord extends LoopStats {
  /** Epoch ms when the loop ended. */
  at: number;
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: scheduler-probe.ts <loop-stats.json>');
  const loops: LoopRecord[] = [];
  const sqlProfileFile = process.env.DAGCTL_BENCH_SQL_PROFILE;
  const sqlProfile: (() => SqlProfileEntry[]) | null = sqlProfileFile ? installSqlProfiler() : null;
  const { SchedulerLoop } = engine.schedulerLoop();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with .call(this)
  const tick = SchedulerLoop.prototype.tick;
  SchedulerLoop.prototype.tick = async function timedTick(this: InstanceType<typeof SchedulerLoop>) {
    const stats = await tick.call(this);
    loops.push({ ...stats, at: Date.now() });
    return stats;
  };
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const ctx = await engine.appContext().openAppContext({ config: engine.config().loadConfig() });
  try {
    await engine.schedulerJob().runScheduler(ctx, { signal: stop.signal });
  } finally {
    fs.writeFileSync(out, JSON.stringify(loops));
    if (sqlProfile && sqlProfileFile) fs.writeFileSync(sqlProfileFile, JSON.stringify(sqlProfile(), null, 1));
    await engine.appContext().closeAppContext(ctx);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`scheduler probe failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
