import { parseDuration } from '../core/duration';
import type { LoadedConfig } from '../config/load-config';
import { distEntry } from '../core/dist-path';

/** Resolved settings of the DAG processor (durations in ms). */
export interface DagProcessorOptions {
  /** Absolute dags folder (`core.dags_folder`). */
  dagsFolder: string;
  /** Parser children working in parallel (`scheduler.parsing_processes`). */
  parsingProcesses: number;
  /** A file importing longer than this is killed and recorded as an import error (`core.dagbag_import_timeout`). */
  importTimeoutMs: number;
  /** Full rescan of the folder besides file-system events (`scheduler.dag_dir_list_interval`). */
  rescanIntervalMs: number;
  /**
   * While file-system events are watched, rescans look only at new files and files the events
   * named; every file is still checked this often (`scheduler.dag_file_recheck_interval`).
   */
  recheckIntervalMs: number;
  /** New DAGs start paused (`core.dags_are_paused_at_creation`). */
  pausedAtCreation: boolean;
  /** Quiet time after the last file-system event before parsing. */
  debounceMs: number;
  /** A parser child is replaced after this many files. */
  maxFilesPerChild: number;
  /** An idle parser child exits after this long. */
  childIdleTimeoutMs: number;
  /** Compiled JS entry of parser children. */
  childEntry: string;
}

/** Options from config, with explicit overrides (tests, CLI flags) winning. */
export function resolveDagProcessorOptions(
  config: LoadedConfig,
  overrides: Partial<DagProcessorOptions> = {},
): DagProcessorOptions {
  return {
    dagsFolder: config.core.dags_folder,
    parsingProcesses: Math.max(1, Math.floor(Number(config.scheduler.parsing_processes) || 1)),
    importTimeoutMs: parseDuration(config.core.dagbag_import_timeout, 'core.dagbag_import_timeout'),
    rescanIntervalMs: parseDuration(config.scheduler.dag_dir_list_interval, 'scheduler.dag_dir_list_interval'),
    recheckIntervalMs: parseDuration(config.scheduler.dag_file_recheck_interval, 'scheduler.dag_file_recheck_interval'),
    pausedAtCreation: Boolean(config.core.dags_are_paused_at_creation),
    debounceMs: 300,
    maxFilesPerChild: 100,
    childIdleTimeoutMs: 60_000,
    childEntry: distEntry('parsing/parse-child-main'),
    ...overrides,
  };
}
