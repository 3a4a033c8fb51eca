import { readFileSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { runInThisContext } from 'node:vm';
import { createJiti } from 'jiti';
import { errorMessage } from '../core/errors';
import { AuthoringDefaults, setAuthoringDefaults } from './authoring-defaults';
import type { DAG } from './dag';
import { beginDagCollection, endDagCollection } from './dag-registry';
import { DagFileError } from './dag-file-error';
import { sdkEntryPath, sdkRootDir } from './sdk-entry';
import { isDag } from './type-guards';
import { loadYamlDags } from './yaml-dags';

export interface LoadDagFileOptions {
  /** Re-read the file (and the modules it imported) even if it was loaded before. */
  fresh?: boolean;
  /** What DAGs and tasks of the file get for options they do not set (the config's; see authoring-defaults.ts). */
  defaults?: AuthoringDefaults;
  /**
   * Keep the DAGs for later loads without `fresh` (default true). A parser child, which only
   * ever loads fresh, passes false: kept, every file's DAGs stayed in its heap until it retired.
   */
  remember?: boolean;
}

const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const YAML_EXTENSIONS = ['.yaml', '.yml'];

/** DAGs of files loaded before, for warm processes that load the same file again. */
const loadedFiles = new Map<string, DAG[]>();
/** Module-cache entries created while importing DAG files (user code), purged before each import. */
const userModules = new Set<string>();
/** Loads run one at a time: the DAG registry is process-wide. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Import a DAG file (TS/JS/MJS through jiti with 'dagctl' aliased to this SDK; YAML through
 * loadYamlDags), collect its DAGs (exported or merely created), set their fileloc and validate
 * them. Throws DagFileError ("<file>: <reason>", one line).
 */
export function loadDagFile(file: string, options: LoadDagFileOptions = {}): Promise<DAG[]> {
  const run = queue.then(() =>
    loadNow(resolve(file), options.fresh === true, options.defaults, options.remember !== false),
  );
  queue = run.catch(() => undefined);
  return run;
}

async function loadNow(
  file: string,
  fresh: boolean,
  defaults: AuthoringDefaults | undefined,
  remember: boolean,
): Promise<DAG[]> {
  const cached = loadedFiles.get(file);
  if (cached && !fresh) return cached;
  loadedFiles.delete(file);
  let dags: DAG[];
  const hosts = loaderHosts();
  try {
    for (const host of hosts) setAuthoringDefaults(host, defaults);
    dags = await collectDags(file);
    const seen = new Map<string, DAG>();
    for (const dag of dags) {
      if (seen.has(dag.dagId)) throw new Error(`DAG '${dag.dagId}' is defined more than once in this file`);
      seen.set(dag.dagId, dag);
      dag.fileloc = file;
      dag.validate();
    }
  } catch (err) {
    if (err instanceof DagFileError) throw err;
    throw new DagFileError(file, describeError(err, file));
  } finally {
    for (const host of hosts) setAuthoringDefaults(host, undefined);
  }
  if (remember) loadedFiles.set(file, dags);
  return dags;
}

async function collectDags(file: string): Promise<DAG[]> {
  const ext = extname(file).toLowerCase();
  if (YAML_EXTENSIONS.includes(ext)) return loadYamlDags(readText(file), file);
  if (!SCRIPT_EXTENSIONS.includes(ext)) {
    throw new Error(`unsupported DAG file type '${ext}' (use .ts, .js, .mjs, .yaml or .yml)`);
  }
  readText(file);
  return importScriptDags(file);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`, { cause: err });
  }
}

/**
 * The global objects DAG file code may run against: jiti evaluates modules in the main context,
 * but may hand some to the host's require; under jest these are two different global objects.
 */
function loaderHosts(): object[] {
  return [...new Set([runInThisContext('globalThis') as object, globalThis])];
}

function importScriptDags(file: string): DAG[] {
  // Collect on every global object DAG code may run against.
  const hosts = loaderHosts();
  // The SDK stays in the module cache (DAG files share the loader's copy); user code is re-read.
  const jiti = createJiti(__filename, {
    alias: { dagctl: sdkEntryPath() },
    moduleCache: true,
    fsCache: false,
    interopDefault: true,
  });
  const moduleCache = jiti.cache;
  for (const id of [...userModules, file]) delete moduleCache[id];
  userModules.clear();
  const before = new Set(Object.keys(moduleCache));
  for (const host of hosts) beginDagCollection(host);
  let exported: unknown;
  let created: object[];
  try {
    // Synchronous require mode: DAG files are plain modules (no top-level await), and native
    // dynamic import() is unavailable inside jest's sandbox.
    exported = jiti(file);
  } finally {
    created = hosts.flatMap((host) => endDagCollection(host));
    rememberUserModules(Object.keys(moduleCache).filter((id) => !before.has(id)));
    userModules.add(file);
  }
  return uniqueDags([...created, ...exportedValues(exported)]);
}

/** Whether a module-cache entry is user code of the last DAG file imported (purged before the next import). */
export function isUserModule(id: string): boolean {
  return userModules.has(id);
}

/** Modules a DAG file pulled in, except the SDK itself and packages (they stay cached). */
function rememberUserModules(ids: string[]): void {
  const sdkRoot = sdkRootDir();
  for (const id of ids) {
    if (!id.startsWith(sdkRoot) && !id.includes(`${sep}node_modules${sep}`)) userModules.add(id);
  }
}

/** Exported values: `module.exports = dag`, `export default dag`, named exports, arrays of DAGs. */
function exportedValues(exported: unknown): unknown[] {
  if (isDag(exported) || Array.isArray(exported)) return [exported];
  if (typeof exported !== 'object' || exported === null) return [];
  return Object.keys(exported).map((key) => (exported as Record<string, unknown>)[key]);
}

/**
 * Each DAG once. With interopDefault, jiti hands back `export default dag` wrapped in a Proxy, so
 * the same DAG can arrive as itself (from the registry) and as a proxy: compare the underlying
 * object, which a proxy exposes through its `tasks` map (the same Map instance).
 */
function uniqueDags(values: unknown[]): DAG[] {
  const byTasks = new Map<unknown, DAG>();
  for (const value of values) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!isDag(item)) continue;
      const identity = item.tasks;
      if (!byTasks.has(identity)) byTasks.set(identity, item);
    }
  }
  return [...byTasks.values()];
}

/** One line: the reason, with the line number of a syntax error when the parser reports it. */
function describeError(err: unknown, file: string): string {
  const error = err as { name?: string; message?: string; stack?: string };
  // Errors thrown by DAG code may come from another realm (jest), so no instanceof here.
  const raw = typeof error?.message === 'string' ? error.message : errorMessage(err);
  // jiti reports parse errors as "ParseError: <reason> \n <file>:<line>:<column>".
  const parsePosition = /(\S+):(\d+):(\d+)\s*$/.exec(raw);
  let message = raw
    .split(file)
    .join('')
    .replace(/^[:\s]+/, '');
  message =
    message
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)[0] ?? 'unknown error';
  if (/^ParseError: /.test(message)) {
    const [, where = '', line, column] = parsePosition ?? [];
    const inFile = where && where !== file ? ` in ${where}` : '';
    const at = line ? `${inFile} at line ${line}, column ${column}` : '';
    return `syntax error${at}: ${message.replace(/^ParseError: /, '')}`;
  }
  if (error?.name === 'SyntaxError') {
    const line = lineInFile(error.stack, file);
    return `syntax error${line ? ` at line ${line}` : ''}: ${message}`;
  }
  if (error?.name && error.name !== 'Error' && !/^(DagDefinitionError|UserError)$/.test(error.name))
    return `${error.name}: ${message}`;
  return message;
}

function lineInFile(stack: string | undefined, file: string): number | null {
  const match = stack ? new RegExp(`${escapeRegExp(file)}:(\\d+)`).exec(stack) : null;
  return match ? Number(match[1]) : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
