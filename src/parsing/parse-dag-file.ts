import fs from 'node:fs/promises';
import type { AuthoringDefaults } from '../authoring/authoring-defaults';
import { loadDagFile } from '../authoring/load-dag-file';
import { serializeDag } from '../authoring/serialize-dag';
import { errorMessage } from '../core/errors';
import { FileParseResult, oneLineError } from './file-parse-result';

/**
 * Import one DAG file and serialize its DAGs. Runs user code: call it only inside a parser child.
 * Never throws: any failure becomes the result's one-line `error`.
 */
export async function parseDagFile(file: string, defaults?: AuthoringDefaults): Promise<FileParseResult> {
  const started = performance.now();
  let source = '';
  try {
    source = await fs.readFile(file, 'utf8');
    // Not remembered: the child parses each file afresh, and kept DAGs would only fill its heap.
    const dags = await loadDagFile(file, { fresh: true, defaults, remember: false });
    const serialized = dags.map((dag) => serializeDag(dag));
    return { file, dags: serialized, source, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      file,
      dags: [],
      source,
      error: oneLineError(importReason(err, file)),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/** The reason without the "<file>: " prefix of loader errors: the import error row names the file already. */
function importReason(err: unknown, file: string): string {
  const reason = (err as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string' && reason) return reason;
  const message = errorMessage(err);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}
