import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DagDefinitionError } from '../../core/errors';
import type { TaskContext } from '../task-context';
import { BaseSensorOperator, SensorOptions } from './base-sensor-operator';

export interface FileSensorOptions extends SensorOptions {
  /** A path or glob pattern (relative paths: from the task's working folder); templated. */
  filepath: string;
  /** Let `**` match any number of folders (Airflow's `recursive`; default false: `**` is `*`). */
  recursive?: boolean;
}

/**
 * Waits for a file or folder to exist (Airflow's FileSensor): done when the glob matches a file,
 * or a folder that holds a file somewhere below it.
 */
export class FileSensor extends BaseSensorOperator {
  override readonly templateFields: readonly string[] = ['filepath'];
  readonly filepath: string;
  readonly recursive: boolean;

  constructor(options: FileSensorOptions) {
    super(options, ['filepath', 'recursive']);
    const { filepath, recursive = false } = this.mergedOptions as Partial<FileSensorOptions>;
    if (typeof filepath !== 'string' || filepath === '')
      throw new DagDefinitionError(`${this.where}: option 'filepath' must be a non-empty string`);
    if (typeof recursive !== 'boolean')
      throw new DagDefinitionError(`${this.where}: option 'recursive' must be true or false`);
    this.filepath = filepath;
    this.recursive = recursive;
  }

  async poke(ctx: TaskContext): Promise<boolean> {
    ctx.log.info(`Poking for file ${this.filepath}`);
    // Loaded here, not at import: every process that loads DAG files imports this module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fg = require('fast-glob') as typeof import('fast-glob');
    // A literal path is looked at as itself, so names with glob characters in them still work.
    const literal = !fg.isDynamicPattern(this.filepath);
    const matches = literal
      ? [path.resolve(this.filepath)]
      : await fg(unescapeForGlob(this.filepath), {
          onlyFiles: false,
          dot: true,
          globstar: this.recursive,
          absolute: true,
          suppressErrors: true,
        });
    for (const match of matches) {
      const stat = statOrNull(match);
      if (stat?.isFile()) {
        ctx.log.info(`Found file ${match}`);
        return true;
      }
      if (stat?.isDirectory() && (await holdsAFile(match))) {
        ctx.log.info(`Found folder ${match} with files in it`);
        return true;
      }
    }
    return false;
  }
}

/** fast-glob wants forward slashes and an absolute or cwd-relative pattern. */
function unescapeForGlob(pattern: string): string {
  return pattern.split(path.sep).join('/');
}

function statOrNull(file: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

async function holdsAFile(folder: string): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.some((entry) => entry.isFile());
}
