import { createBenchHome, BenchHome } from '../bench-home';
import { smallScheduledDag } from '../dag-sources';
import { parseDagsFolder } from '../dag-scenario';
import { AppContext, engine } from '../engine';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { startScheduler } from '../scheduler-process';
import { sleep, waitUntil } from '../wait-until';

function writeFiles(home: BenchHome, files: number, tasks: number): void {
  for (let i = 0; i < files; i += 1) {
    const id = `bench_dag_${String(i).padStart(4, '0')}`;
    home.writeDag(`group_${String(i % 20).padStart(2, '0')}/${id}.ts`, smallScheduledDag(id, tasks));
  }
}

async function dagHash(ctx: AppContext, dagId: string): Promise<string | undefined> {
  const { records } = await engine
    .sql()
    .execSql<{ dag_hash: string }>(ctx.dataSource, 'SELECT dag_hash FROM serialized_dag WHERE dag_id = ?', [dagId]);
  return records[0]?.dag_hash;
}

/**
 * parse1000: N DAG files × 10 tasks. Cold: one full DAG-processor pass (DagProcessorManager.
 * parseAll, parser children included) into an empty database, fresh home per repetition.
 * Edit: with `dagctl scheduler` running (its DAG processor watching the folder), rewrite one file
 * and poll the DB every 10 ms until the DAG's new serialized version is there.
 */
export const parse1000: Scenario = {
  name: 'parse1000',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const { parseFiles, tasksPerFile } = bench.sizes;
    const base = {
      scenario: 'parse1000',
      executor: 'local',
      database: 'sqlite',
      size: `${parseFiles} files × ${tasksPerFile} tasks`,
    } as const;
    const coldSpec: FigureSpec = {
      ...base,
      metric: 'cold parse of the dags folder',
      unit: 's',
      target: atMost(30, '≤ 30 s'),
    };
    const editSpec: FigureSpec = {
      ...base,
      metric: 'edit one file → new version in DB',
      unit: 's',
      target: atMost(2, '≤ 2 s'),
    };
    const figures: Figure[] = [];
    figures.push(
      ...(await guardVariant(bench, [coldSpec], async () => {
        const samples: number[] = [];
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const home = await createBenchHome({ executor: 'local', database: 'sqlite' });
          try {
            writeFiles(home, parseFiles, tasksPerFile);
            await home.migrate();
            const ctx = await home.openContext();
            try {
              const parsed = await parseDagsFolder(ctx);
              if (parsed.filesParsed !== parseFiles)
                throw new Error(`parsed ${parsed.filesParsed} of ${parseFiles} files`);
              samples.push(parsed.durationMs / 1000);
            } finally {
              await engine.appContext().closeAppContext(ctx);
            }
          } finally {
            await home.cleanup();
          }
        }
        return [
          measured(
            { ...coldSpec, notes: [`scheduler.parsing_processes = 2 (default); files in 20 sub-folders`] },
            samples,
          ),
        ];
      })),
    );
    figures.push(
      ...(await guardVariant(bench, [editSpec], async () => {
        const home = await createBenchHome({ executor: 'local', database: 'sqlite' });
        let ctx: AppContext | null = null;
        let scheduler: Awaited<ReturnType<typeof startScheduler>> | null = null;
        try {
          writeFiles(home, parseFiles, tasksPerFile);
          await home.migrate();
          ctx = await home.openContext();
          await parseDagsFolder(ctx);
          scheduler = await startScheduler(home, { cpuProfDir: bench.profileDir ?? undefined });
          await sleep(1_000);
          const samples: number[] = [];
          const edits = Math.max(bench.sizes.parseEdits, bench.sizes.reps);
          for (let rep = 0; rep < edits; rep += 1) {
            const i = (rep * 397) % parseFiles;
            const id = `bench_dag_${String(i).padStart(4, '0')}`;
            const before = await dagHash(ctx, id);
            const written = Date.now();
            home.writeDag(
              `group_${String(i % 20).padStart(2, '0')}/${id}.ts`,
              smallScheduledDag(id, tasksPerFile, rep + 1),
            );
            const c = ctx;
            await waitUntil(
              `the new version of ${id}`,
              async () => ((await dagHash(c, id)) !== before ? true : undefined),
              60_000,
              10,
            );
            samples.push((Date.now() - written) / 1000);
            await sleep(500);
          }
          return [
            measured(
              {
                ...editSpec,
                notes: [
                  'the DAG processor waits 300 ms for writes to settle (debounce) before parsing',
                  'polled every 10 ms',
                ],
              },
              samples,
            ),
          ];
        } finally {
          await scheduler?.stop().catch(() => undefined);
          if (ctx)
            await engine
              .appContext()
              .closeAppContext(ctx)
              .catch(() => undefined);
          await home.cleanup();
        }
      })),
    );
    return figures;
  },
};
