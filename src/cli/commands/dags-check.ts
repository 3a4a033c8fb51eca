import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { loadConfig } from '../../config/load-config';
import { checkDagTypes, findTypeScriptDagFiles, type DagTypeError } from '../../parsing/check-dag-types';
import { printLine } from '../output';

/**
 * `dagctl dags check [PATH]`: type-check the TypeScript DAG files with the compiler against this
 * dagctl's SDK types, so CI catches a wrong typed input before deploy. Needs no database.
 * Exit 0 when clean, 1 with errors (one `file:line:col - message` line each), 2 for a bad PATH.
 */
export function addCheckCommand(dags: Command): void {
  dags
    .command('check')
    .description("type-check the TypeScript DAG files (default: the dags folder) against dagctl's types")
    .argument('[path]', 'a DAG file or a folder of them')
    .action((target: string | undefined) => {
      const root = target ?? loadConfig().core.dags_folder;
      if (!fs.existsSync(root)) throw new InvalidArgumentError(`path ${root} does not exist`);
      const files = findTypeScriptDagFiles(root);
      if (files.length === 0) {
        printLine(`No TypeScript DAG files under ${root}`);
        return;
      }
      const errors = checkDagTypes(files);
      for (const error of errors) printLine(formatError(error));
      const failedFiles = new Set(errors.map((e) => e.file)).size;
      printLine(
        errors.length === 0
          ? `No type errors in ${files.length} DAG file(s)`
          : `Found ${errors.length} type error(s) in ${failedFiles} of ${files.length} DAG file(s)`,
      );
      if (errors.length > 0) process.exitCode = 1;
    });
}

/** tsc's short form, the path relative to the working directory when it lies below it. */
function formatError(error: DagTypeError): string {
  if (!error.file) return `error - ${error.message}`;
  const relative = path.relative(process.cwd(), error.file);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? error.file : relative;
  return `${shown}:${error.line}:${error.column} - ${error.message}`;
}
