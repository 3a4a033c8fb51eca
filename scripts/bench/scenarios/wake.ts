import { createBenchHome } from '../bench-home';
import { engine } from '../engine';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { percentile } from '../stats';
import { settlesWithin } from '../wait-until';

/**
 * wake: how soon the scheduler's external-change watcher notices a commit of another connection
 * (a `dagctl trigger`, a UI action): an INSERT on a second connection (plus NOTIFY on PostgreSQL),
 * timed from just before the INSERT to the watcher's callback. The watcher's safety-net poll is
 * set to 60 s, so every wake measured comes from file-system events (SQLite) or LISTEN/NOTIFY.
 */
export const wake: Scenario = {
  name: 'wake',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const commits = bench.sizes.wakeCommits;
    const out: Figure[] = [];
    for (const database of ['sqlite', 'postgres'] as const) {
      const base = {
        scenario: 'external change wake',
        executor: '-',
        database,
        unit: 'ms',
        size: `${commits} commits`,
      } as const;
      const p50Spec: FigureSpec = { ...base, metric: 'p50 commit by another connection → scheduler woken' };
      const p99Spec: FigureSpec = {
        ...base,
        metric: 'p99 commit by another connection → scheduler woken',
        target: atMost(500, '≤ 500 ms'),
      };
      out.push(
        ...(await guardVariant(bench, [p50Spec, p99Spec], async () => {
          const samples = await timeWakes(database, commits);
          return [
            measured(p50Spec, [percentile(samples, 50)]),
            measured({ ...p99Spec, notes: [`slowest ${Math.round(Math.max(...samples))} ms`] }, [
              percentile(samples, 99),
            ]),
          ];
        })),
      );
    }
    return out;
  },
};

async function timeWakes(database: 'sqlite' | 'postgres', commits: number): Promise<number[]> {
  const home = await createBenchHome({ executor: 'local', database });
  const { openDatabase } = engine.dataSource();
  const { execSql } = engine.sql();
  const { ExternalChangeWatcher, notifySchedulers } = engine.externalChangeWatcher();
  try {
    await home.migrate();
    const watched = await openDatabase(home.databaseUrl);
    const other = await openDatabase(home.databaseUrl);
    let onWake: (() => void) | null = null;
    const watcher = new ExternalChangeWatcher(watched, () => onWake?.(), { slowPollMs: 60_000 });
    try {
      await watcher.start();
      const samples: number[] = [];
      for (let i = 0; i < commits; i += 1) {
        let wokeAt = 0;
        const woken = new Promise<void>((resolve) => {
          onWake = () => {
            wokeAt = performance.now();
            resolve();
          };
        });
        const committedFrom = performance.now();
        await execSql(other, "INSERT INTO variable (key, val) VALUES (?, 'v')", [`wake_${i}`]);
        await notifySchedulers(other);
        if (!(await settlesWithin(woken, 10_000))) throw new Error(`commit ${i + 1} did not wake the watcher in 10 s`);
        onWake = null;
        samples.push(wokeAt - committedFrom);
      }
      return samples;
    } finally {
      await watcher.stop();
      await watched.destroy();
      await other.destroy();
    }
  } finally {
    await home.cleanup();
  }
}
