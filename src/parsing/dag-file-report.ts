import type { LoadedConfig } from '../config/load-config';
import { DagFileParserPool } from './dag-file-parser-pool';
import { resolveDagProcessorOptions } from './dag-processor-options';
import { discoverDagFiles } from './discover-dag-files';

/** One DAG file as `dags report` shows it (Airflow's DagBag report). */
export interface DagFileReportRow {
  file: string;
  duration_ms: number;
  dag_num: number;
  task_num: number;
  dags: string[];
  error: string | null;
}

/**
 * Parse every DAG file of the dags folder now, in parser children like the DAG processor (user
 * code never runs in this process), and time each. Slowest first, as Airflow's report. Stores
 * nothing: it is a measurement.
 */
export async function reportDagFiles(config: LoadedConfig): Promise<DagFileReportRow[]> {
  const options = resolveDagProcessorOptions(config);
  const files = await discoverDagFiles(options.dagsFolder);
  const pool = new DagFileParserPool({
    entry: options.childEntry,
    size: options.parsingProcesses,
    importTimeoutMs: options.importTimeoutMs,
    maxHeapMb: options.parserMaxHeapMb,
    defaults: options.authoringDefaults,
    maxFilesPerChild: options.maxFilesPerChild,
    idleTimeoutMs: options.childIdleTimeoutMs,
  });
  try {
    const results = await Promise.all(files.map((file) => pool.parse(file)));
    return results
      .map((result) => ({
        file: result.file,
        duration_ms: result.durationMs,
        dag_num: result.dags.length,
        task_num: result.dags.reduce((sum, dag) => sum + dag.tasks.length, 0),
        dags: result.dags.map((dag) => dag.dagId),
        error: result.error ?? null,
      }))
      .sort((a, b) => b.duration_ms - a.duration_ms || a.file.localeCompare(b.file));
  } finally {
    await pool.close();
  }
}
