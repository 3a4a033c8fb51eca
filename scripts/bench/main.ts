/**
 * dagctl's benchmark suite: `npm run bench [-- --quick | --only NAME | …]` (see options.ts).
 * Runs the baselines then every scenario of the performance issue against the compiled engine,
 * and writes BENCHMARKS.md and benchmarks.json. Exit code 1 when a figure could not be measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../src/core/errors';
import { nodeStart } from './baselines/node-start';
import { rawBullmq } from './baselines/raw-bullmq';
import { rawDbCommits } from './baselines/raw-db-commits';
import { taskLogFiles } from './baselines/task-log-files';
import { warmTaskProcess } from './baselines/warm-task-process';
import { describeMachine, loadAverage } from './machine';
import { BenchOptions, parseBenchArgs } from './options';
import { stopAllStarted } from './processes';
import { BenchReport, renderJson, renderMarkdown } from './report';
import type { Figure } from './result';
import type { BenchContext, Scenario } from './scenario';
import { api } from './scenarios/api';
import { big10k } from './scenarios/big10k';
import { chain40 } from './scenarios/chain40';
import { bashFanout, fanout1000 } from './scenarios/fanout';
import { hopLatency } from './scenarios/hop-latency';
import { idle } from './scenarios/idle';
import { parse1000 } from './scenarios/parse1000';
import { weights } from './scenarios/priority-weights';
import { wake } from './scenarios/wake';
import { FULL_SIZES, QUICK_SIZES } from './sizes';

export const SCENARIOS: Scenario[] = [
  nodeStart,
  rawDbCommits,
  rawBullmq,
  taskLogFiles,
  warmTaskProcess,
  chain40,
  hopLatency,
  fanout1000,
  bashFanout,
  parse1000,
  big10k,
  idle,
  api,
  wake,
  weights,
];

/** The scenarios to run: --only's, plus the BullMQ baseline when a bullmq fanout target needs it. */
export function selectScenarios(options: BenchOptions): Scenario[] {
  if (options.only.length === 0) return SCENARIOS;
  const known = new Set(SCENARIOS.map((s) => s.name));
  const unknown = options.only.filter((n) => !known.has(n));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.map((n) => `'${n}'`).join(', ')}: choose from ${[...known].join(', ')}`,
    );
  const wanted = new Set(options.only);
  if (wanted.has('fanout1000') && options.executors.has('bullmq')) wanted.add(rawBullmq.name);
  return SCENARIOS.filter((s) => wanted.has(s.name));
}

/** The command line that reproduces this run. */
function benchCommand(options: BenchOptions): string {
  const only = options.only.length ? ` ${options.quick ? '' : '-- '}--only ${options.only.join(',')}` : '';
  return `npm run bench${options.quick ? ' -- --quick' : ''}${only}`;
}

export async function runBench(options: BenchOptions, log: (message: string) => void): Promise<BenchReport> {
  const sizes = { ...(options.quick ? QUICK_SIZES : FULL_SIZES) };
  if (options.reps !== null) sizes.reps = options.reps;
  const bench: BenchContext = {
    sizes,
    quick: options.quick,
    executors: options.executors,
    baselines: {},
    profileDir: options.profileDir,
    log,
  };
  if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
  const started = Date.now();
  const startLoad = loadAverage();
  const figures: Figure[] = [];
  const selected = selectScenarios(options);
  for (const scenario of [
    ...selected.filter((s) => s.kind === 'baseline'),
    ...selected.filter((s) => s.kind === 'scenario'),
  ]) {
    figures.push(...(await scenario.run(bench)).map((f) => ({ id: scenario.name, ...f })));
  }
  return {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: describeMachine(),
    loadAverage: { start: startLoad, end: loadAverage() },
    durationSeconds: (Date.now() - started) / 1000,
    command: benchCommand(options),
    figures,
  };
}

/**
 * The earlier report in `outDir` with the re-run scenarios' figures replaced by the new ones (in
 * the suite's order), so one disturbed scenario can be measured again without redoing the rest.
 */
export function mergeReports(earlier: BenchReport, rerun: BenchReport): BenchReport {
  const rerunIds = new Set(rerun.figures.map((f) => f.id));
  const kept = earlier.figures.filter((f) => !rerunIds.has(f.id));
  const order = (f: Figure): number => SCENARIOS.findIndex((s) => s.name === f.id);
  const figures = [...kept, ...rerun.figures]
    .map((f, i) => ({ f, i }))
    .sort((a, b) => order(a.f) - order(b.f) || a.i - b.i)
    .map((x) => x.f);
  return {
    ...earlier,
    figures,
    reruns: [
      ...(earlier.reruns ?? []),
      {
        scenarios: [...rerunIds].filter((id): id is string => !!id),
        at: rerun.generatedAt,
        loadAverage: rerun.loadAverage.start,
      },
    ],
  };
}

export function writeReport(report: BenchReport, outDir: string, merge = false): { markdown: string; json: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, 'BENCHMARKS.md');
  const json = path.join(outDir, 'benchmarks.json');
  if (merge && fs.existsSync(json))
    report = mergeReports(JSON.parse(fs.readFileSync(json, 'utf8')) as BenchReport, report);
  fs.writeFileSync(markdown, renderMarkdown(report));
  fs.writeFileSync(json, renderJson(report));
  return { markdown, json };
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
    selectScenarios(options);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 2;
  }
  const t0 = Date.now();
  const log = (message: string): void =>
    void process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
  const onSignal = (): void => {
    log('interrupted: stopping the processes the benchmark started');
    // The process exits whatever happens: a failure to stop one is moot.
    void stopAllStarted().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const report = await runBench(options, log);
  const files = writeReport(report, options.outDir, options.merge);
  log(`wrote ${files.markdown} and ${files.json}`);
  const broken = report.figures.filter((f) => f.status === 'failed');
  const missed = report.figures.filter((f) => f.met === false);
  log(
    `${report.figures.length} figures, ${missed.length} targets missed, ${broken.length} failed, ` +
      `${report.figures.filter((f) => f.status === 'skipped').length} skipped`,
  );
  return broken.length ? 1 : 0;
}

if (require.main === module || process.argv[1]?.endsWith('main.ts')) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    async (err: Error) => {
      process.stderr.write(`benchmark failed: ${err.stack ?? err.message}\n`);
      await stopAllStarted();
      process.exitCode = 1;
    },
  );
}
