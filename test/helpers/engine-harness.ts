import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import type { Clock } from '../../src/core/clock';
import { distEntry } from '../../src/core/dist-path';
import { runScheduler } from '../../src/scheduler/scheduler-job';
import { createTestHome, openTestContext, TestHome } from './dagctl-home';
import { present } from './eventually';
import { waitForParsedDags } from './run-queries';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from './test-database';

/**
 * A bash command, as a JS string literal for a DAG file's text, that waits at gate `name` of the
 * home folder `homeDir` until the test opens it (`engine.openGate(name)`).
 */
export const gateCommand = (homeDir: string, name: string): string =>
  JSON.stringify(`while [ ! -f '${path.join(homeDir, name)}' ]; do sleep 0.1; done`);

/** A one-task DAG to trigger: its run finishing proves the scheduler looped many times since. */
export const SENTINEL_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('sentinel', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'tick', bashCommand: 'true', dag });
export default dag;
`;

export interface EngineHarnessOptions {
  kind: TestDatabaseKind;
  /** Extra environment of the home (executor, idle sleep, …); a function when set-up first learns it (a port). */
  env?: Record<string, string> | (() => Record<string, string>);
  /**
   * The DAG files by file name, one DAG each (set-up waits until that many DAGs are parsed); a
   * function of the home when their text names paths inside it.
   */
  dags: Record<string, string> | ((home: TestHome) => Record<string, string>);
  /** The context's clock, which the scheduler and the services read; the system clock when unset. */
  clock?: Clock;
  /** Runs once the context is open, before the scheduler starts (folders, pools, users). */
  beforeStart?: (engine: EngineHarness) => void | Promise<void>;
  /** The gates (`gateCommand`) the DAGs' tasks wait at: opened at teardown, so no task is left waiting. */
  gates?: readonly string[];
  /** Runs first at teardown, with the context still open (close what uses it: a web server, a browser). */
  beforeStop?: () => void | Promise<void>;
  /** Processes the executor needs besides the scheduler (workers): started after `beforeStart`. */
  services?: EngineServices;
}

/** Processes that serve the scheduler's executor (workers), started before it and stopped after it. */
export interface EngineServices {
  start(home: TestHome): Promise<void>;
  /** Called at teardown once the scheduler has stopped, context still open; also when start failed part way. */
  stop(): Promise<void>;
}

/** What the tests of the enclosing describe use; valid inside tests and the hooks declared after it. */
export interface EngineHarness {
  readonly ctx: AppContext;
  readonly home: TestHome;
  /** Starts the in-process scheduler again after `stopScheduler` (set-up starts it once). */
  startScheduler: () => void;
  /** Stops the scheduler and waits until its loop has ended. */
  stopScheduler: () => Promise<void>;
  /** Lets the tasks waiting at gate `name` (`gateCommand`) go on. */
  openGate: (name: string) => void;
}

/**
 * The scheduler engine in-process for the tests of the enclosing describe: a fresh database of
 * `kind` and home with the DAG files, an app context on them, `runScheduler` running until every
 * DAG is parsed; all stopped and removed after the describe. Tasks and callbacks run in processes
 * forked from dist/ (run `npm run build` first). Call it first in the describe.
 */
export function engineHarness(options: EngineHarnessOptions): EngineHarness {
  let db: TestDatabase | undefined;
  let home: TestHome | undefined;
  let ctx: AppContext | undefined;
  let abort: AbortController | null = null;
  let scheduler: Promise<void> | null = null;

  const engine: EngineHarness = {
    get ctx() {
      return present(ctx, 'engineHarness: the app context (open only inside tests and later hooks)');
    },
    get home() {
      return present(home, 'engineHarness: the home (there only inside tests and later hooks)');
    },
    startScheduler: () => {
      if (scheduler) throw new Error('engineHarness: the scheduler is already running');
      abort = new AbortController();
      scheduler = runScheduler(engine.ctx, { signal: abort.signal });
    },
    stopScheduler: async () => {
      abort?.abort();
      await scheduler?.catch(() => undefined);
      abort = null;
      scheduler = null;
    },
    openGate: (name) => fs.writeFileSync(path.join(engine.home.home, name), ''),
  };

  beforeAll(async () => {
    if (!fs.existsSync(distEntry('runner/task-process-main')))
      throw new Error('dist/ is not built: run `npm run build` (tasks run in processes forked from dist/)');
    db = await createTestDatabase(options.kind);
    const env = typeof options.env === 'function' ? options.env() : options.env;
    home = createTestHome({ databaseUrl: db.url, env });
    const dags = typeof options.dags === 'function' ? options.dags(home) : options.dags;
    for (const [name, source] of Object.entries(dags)) home.writeDag(name, source);
    const opened = await openTestContext(home);
    ctx = options.clock ? { ...opened, clock: options.clock } : opened;
    await options.beforeStart?.(engine);
    await options.services?.start(home);
    engine.startScheduler();
    await waitForParsedDags(ctx.dataSource, Object.keys(dags).length, 120_000);
  }, 180_000);

  afterAll(async () => {
    try {
      await options.beforeStop?.();
    } finally {
      if (home) for (const gate of options.gates ?? []) engine.openGate(gate);
      await engine.stopScheduler();
      try {
        await options.services?.stop();
      } finally {
        if (ctx) await closeAppContext(ctx);
        await db?.drop();
        home?.remove();
      }
    }
  });

  return engine;
}
