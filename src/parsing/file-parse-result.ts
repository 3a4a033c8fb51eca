import type { SerializedDag } from '../core/serialized-dag';

/** What parsing one DAG file produced, as sent from a parser child to the manager. */
export interface FileParseResult {
  /** Absolute path of the file. */
  file: string;
  /** The DAGs the file defines, serialized (empty when `error` is set). */
  dags: SerializedDag[];
  /** The file's text as it was parsed ('' when it could not be read). */
  source: string;
  /** One-line import error naming the problem; absent when the file imported cleanly. */
  error?: string;
  durationMs: number;
}

/** The first non-empty line of an error message: import errors are shown on one line. */
export function oneLineError(message: string): string {
  const line =
    message
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? 'unknown error';
  return line.length > 2000 ? `${line.slice(0, 2000)}…` : line;
}

/** '30s', '2s', '1.5s', '500ms': how an import timeout is named in its error. */
export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
}
