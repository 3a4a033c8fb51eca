import fs from 'node:fs';
import path from 'node:path';
import { BenchHome, createBenchHome } from './bench-home';
import { AppContext, engine } from './engine';
import type { BenchProcess } from './processes';
import { LoopRecord, SchedulerProcess, startScheduler, startWorker } from './scheduler-process';
import type { SqlProfileEntry } from './sql-profiler';
import type { BenchContext } from './scenario';

export interface DagScenarioSetup {
  executor: 'local' | 'bullmq';
  database: 'sqlite' | 'postgres';
  /** File name → source, written to the dags folder before parsing. */
  files: Record<string, string>;
  /** Record loop durations (runs the scheduler in the probe). */
  probe?: boolean;
  /** With probe: also tally the scheduler's time per SQL statement (returned as `sql`). */
  sqlProfile?: boolean;
  env?: Record<string, string>;
}

export interface RunningDagScenario {
  home: BenchHome;
  ctx: AppContext;
  scheduler: SchedulerProcess;
  worker: BenchProcess | null;
}

/** Parse the dags folder once, in this process, as the DAG processor does; fail on import errors. */
export async function parseDagsFolder(ctx: AppContext): Promise<{ durationMs: number; filesParsed: number }> {
  const manager = new (engine.processor().DagProcessorManager)(ctx);
  try {
    const started = performance.now();
    const summary = await manager.parseAll();
    const durationMs = performance.now() - started;
    const errors = Object.entries(summary.importErrors);
    if (errors.length)
      throw new Error(`${errors.length} DAG files failed to import, e.g. ${errors[0][0]}: ${errors[0][1]}`);
    return { durationMs, filesParsed: summary.filesParsed };
  } finally {
    await manager.stop();
  }
}

/**
 * A fresh home with the scenario's DAG files, migrated and parsed, a running scheduler (and a
 * bullmq worker), for `work`; everything is stopped and removed afterwards. Returns what `work`
 * returned, the loop records when probing and the SQL tallies when asked for.
 */
export async function withDagScenario<T>(
  bench: BenchContext,
  setup: DagScenarioSetup,
  work: (s: RunningDagScenario) => Promise<T>,
): Promise<{ value: T; loops: LoopRecord[]; sql: SqlProfileEntry[] | null }> {
  const home = await createBenchHome({ executor: setup.executor, database: setup.database, env: setup.env });
  let ctx: AppContext | null = null;
  let scheduler: SchedulerProcess | null = null;
  let worker: BenchProcess | null = null;
  try {
    for (const [name, source] of Object.entries(setup.files)) home.writeDag(name, source);
    await home.migrate();
    ctx = await home.openContext();
    await parseDagsFolder(ctx);
    // Beside the CPU profiles with --profile (where the probe puts it anyway), else in the home.
    const sqlProfileFile =
      setup.probe && setup.sqlProfile
        ? path.join(bench.profileDir ?? home.dir, `sql-${path.basename(home.dir)}.json`)
        : undefined;
    scheduler = await startScheduler(home, {
      probe: setup.probe,
      cpuProfDir: bench.profileDir ?? undefined,
      sqlProfileFile,
    });
    if (setup.executor === 'bullmq') worker = await startWorker(home, undefined, bench.profileDir ?? undefined);
    const value = await work({ home, ctx, scheduler, worker });
    await worker?.stop();
    worker = null;
    const loops = await scheduler.stop();
    scheduler = null;
    const sql =
      sqlProfileFile && fs.existsSync(sqlProfileFile)
        ? (JSON.parse(fs.readFileSync(sqlProfileFile, 'utf8')) as SqlProfileEntry[])
        : null;
    return { value, loops, sql };
  } catch (err) {
    const logs = [scheduler?.proc, worker]
      .filter((p): p is BenchProcess => !!p)
      .map((p) => `${p.name}: ${p.log().trim().split('\n').slice(-3).join(' | ')}`);
    if (logs.length && err instanceof Error) err.message += ` [${logs.join(' ; ')}]`;
    throw err;
  } finally {
    await worker?.stop(5_000);
    await scheduler?.stop().catch(() => undefined);
    if (ctx)
      await engine
        .appContext()
        .closeAppContext(ctx)
        .catch(() => undefined);
    await home.cleanup();
  }
}
