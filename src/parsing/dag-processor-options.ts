import { AuthoringDefaults, authoringDefaultsFrom } from '../authoring/authoring-defaults';
import type { LoadedConfig } from '../config/load-config';
import { distEntry } from '../core/dist-path';

/** Resolved settings of the DAG processor (durations in ms). */
export interface DagProcessorOptions {
  /** Absolute dags folder (`core.dags_folder`). */
  dagsFolder: string;
  /** Parser children working in parallel (`scheduler.parsing_processes`). */
  parsingProcesses: number;
  /** V8 heap cap of each parser child in MB (`scheduler.parser_max_heap`). */
  parserMaxHeapMb: number;
  /** A file importing longer than this is killed and recorded as an import error (`core.dagbag_import_timeout`). */
  importTimeoutMs: number;
  /** Full rescan of the folder besides file-system events (`scheduler.dag_dir_list_interval`). */
  rescanIntervalMs: number;
  /**
   * While file-system events are watched, rescans look only at new files and files the events
   * named; every file is still checked this often (`scheduler.dag_file_recheck_interval`).
   */
  recheckIntervalMs: number;
  /**
   * How often the stat sweep lists the folder besides the watch (`scheduler.dag_file_stat_interval`);
   * it stats every file each time only when there is no watch (see StatSweep).
   */
  statSweepIntervalMs: number;
  /** New DAGs start paused (`core.dags_are_paused_at_creation`). */
  pausedAtCreation: boolean;
  /** What DAGs and tasks get for options they do not set (`core.max_active_*_per_dag`, `core.default_task_retries`). */
  authoringDefaults: AuthoringDefaults;
  /** Quiet time after the last file-system event before parsing. */
  debounceMs: number;
  /**
   * A parser child is replaced after this many files: what a file leaves in its heap (compiled
   * code, loader state) is freed only with the child. (A child whose file changed the realm is
   * replaced at once, see realm-snapshot.ts.)
   */
  maxFilesPerChild: number;
  /** An idle parser child exits after this long. */
  childIdleTimeoutMs: number;
  /** Compiled JS entry of parser children. */
  childEntry: string;
}

/** Files a parser child parses before it is replaced (see maxFilesPerChild). */
export const DEFAULT_MAX_FILES_PER_CHILD = 250;

/** Options from config, with explicit overrides (tests, CLI flags) winning. */
export function resolveDagProcessorOptions(
  config: LoadedConfig,
  overrides: Partial<DagProcessorOptions> = {},
): DagProcessorOptions {
  return {
    dagsFolder: config.core.dags_folder,
    parsingProcesses: config.scheduler.parsing_processes,
    parserMaxHeapMb: config.scheduler.parser_max_heap,
    importTimeoutMs: config.core.dagbag_import_timeout,
    rescanIntervalMs: config.scheduler.dag_dir_list_interval,
    recheckIntervalMs: config.scheduler.dag_file_recheck_interval,
    statSweepIntervalMs: config.scheduler.dag_file_stat_interval,
    pausedAtCreation: config.core.dags_are_paused_at_creation,
    authoringDefaults: authoringDefaultsFrom(config),
    debounceMs: 300,
    // Each new child costs ~0.3 s of CPU to start plus a cold JIT for its first files. Since
    // children stopped keeping parsed DAGs, 250 files grow a child's heap less than 100 did.
    maxFilesPerChild: DEFAULT_MAX_FILES_PER_CHILD,
    childIdleTimeoutMs: 60_000,
    childEntry: distEntry('parsing/parse-child-main'),
    ...overrides,
  };
}
