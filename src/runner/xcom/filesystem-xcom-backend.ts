import fs from 'node:fs';
import path from 'node:path';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import type { XComBackend, XComRef, XComScope } from './xcom-backend';

/** Values up to this size stay in the row: a file per small value costs more than it saves. */
export const FILESYSTEM_XCOM_THRESHOLD_BYTES = 1024;

/** The marker a row holds in place of a value kept in a file. */
const MARKER = '__dagctl_xcom_file__';

const segment = (name: string, value: string | number): string => `${name}=${encodeURIComponent(String(value))}`;

/**
 * Large values in files under `core.xcom_backend_path`, laid out like task logs
 * (`dag_id=…/run_id=…/task_id=…/map_index=…/<key>.json`); the row holds the file's path relative
 * to the folder. The folder must be shared by every machine that runs tasks or shows XComs.
 */
export class FilesystemXComBackend implements XComBackend {
  readonly name = 'filesystem';

  constructor(private readonly root: string) {}

  private folderOf(ti: TaskInstanceKey): string {
    return path.join(
      segment('dag_id', ti.dagId),
      segment('run_id', ti.runId),
      segment('task_id', ti.taskId),
      segment('map_index', ti.mapIndex),
    );
  }

  store(ref: XComRef, value: unknown, json: string): unknown {
    if (Buffer.byteLength(json) <= FILESYSTEM_XCOM_THRESHOLD_BYTES) return value;
    const relative = path.join(this.folderOf(ref.ti), `${encodeURIComponent(ref.key)}.json`);
    const file = path.join(this.root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a reader never sees half a value.
    fs.writeFileSync(`${file}.tmp`, json);
    fs.renameSync(`${file}.tmp`, file);
    return { [MARKER]: relative.split(path.sep).join('/') };
  }

  load(stored: unknown): unknown {
    const relative = fileOf(stored);
    if (relative === null) return stored;
    const file = path.resolve(this.root, relative);
    if (!file.startsWith(path.resolve(this.root) + path.sep))
      throw new Error(`XCom file '${relative}' is outside ${this.root}`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`XCom file ${file} cannot be read (is core.xcom_backend_path shared with this machine?)`, {
        cause: err,
      });
    }
    return JSON.parse(text) as unknown;
  }

  clearTry(ti: TaskInstanceKey): void {
    fs.rmSync(path.join(this.root, this.folderOf(ti)), { recursive: true, force: true });
  }

  purge(scope: XComScope): void {
    const parts = [segment('dag_id', scope.dagId)];
    if (scope.runId !== undefined) {
      parts.push(segment('run_id', scope.runId));
      if (scope.taskId !== undefined) parts.push(segment('task_id', scope.taskId));
    }
    fs.rmSync(path.join(this.root, ...parts), { recursive: true, force: true });
  }
}

function fileOf(stored: unknown): string | null {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return null;
  const record = stored as Record<string, unknown>;
  const keys = Object.keys(record);
  return keys.length === 1 && typeof record[MARKER] === 'string' ? record[MARKER] : null;
}
