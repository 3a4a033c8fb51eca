import fs from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { getLogger } from '../logging/logger';
import { type FileStatKey, statKeyOf } from './file-change-tracker';

const log = getLogger('dag-processor');

/** Extensions of files that may define DAGs. */
const DAG_FILE_PATTERN = /\.(ts|js|mjs|ya?ml)$/;

/** Entries discovery never looks into or at: dot-files and dot-folders (`.git`), `node_modules`. */
export function isSkippedName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Name of the per-folder ignore file: one regular expression per line, like Airflow's .airflowignore. */
export const IGNORE_FILE_NAME = '.dagctlignore';

/** True when a file name can hold DAGs (type declarations and dot-files never do). */
export function isDagFileName(name: string): boolean {
  return DAG_FILE_PATTERN.test(name) && !name.endsWith('.d.ts') && !name.startsWith('.');
}

/** A pattern from an ignore file, matched against paths relative to the folder holding that file. */
interface IgnoreRule {
  base: string;
  pattern: RegExp;
}

/** Parse an ignore file's text: blank lines and '#' comments are skipped; a bad regex is logged and skipped. */
export function parseIgnorePatterns(text: string, source = IGNORE_FILE_NAME): RegExp[] {
  const patterns: RegExp[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    try {
      patterns.push(new RegExp(line));
    } catch (err) {
      log.warn(`ignoring invalid pattern in ${source}: ${line} (${errorMessage(err)})`);
    }
  }
  return patterns;
}

function isIgnored(fullPath: string, rules: IgnoreRule[]): boolean {
  return rules.some((rule) => rule.pattern.test(path.relative(rule.base, fullPath).split(path.sep).join('/')));
}

async function readIgnoreRules(dir: string, inputs?: Map<string, FileStatKey>): Promise<IgnoreRule[]> {
  const file = path.join(dir, IGNORE_FILE_NAME);
  let text: string;
  try {
    // Stat-ed before it is read: an edit after the read changes what was recorded.
    if (inputs) inputs.set(file, statKeyOf(await fs.stat(file)));
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  return parseIgnorePatterns(text, file).map((pattern) => ({ base: dir, pattern }));
}

/** What a walk noticed besides the files. */
export interface DiscoveryInfo {
  /** Symlinked folders followed: file-system events of the dags folder do not cover them. */
  symlinkedFolders: number;
  /**
   * When given, receives the stat of every folder walked and every ignore file read, each taken
   * before it was read: the walk's result can differ only once one of them differs (a folder's
   * stat changes when an entry is added, removed or renamed in it).
   */
  inputs?: Map<string, FileStatKey>;
  /**
   * When given, receives every DAG file that is a symlink: its target may be replaced in a folder
   * the walk does not read.
   */
  symlinkedFiles?: Set<string>;
}

/**
 * Every candidate DAG file under `dagsFolder`, recursively, as sorted absolute paths.
 * Skips dot-files and dot-folders, `node_modules`, `*.d.ts`, and whatever the `.dagctlignore`
 * files match (each applies to its own folder and everything below it). A missing folder
 * yields no files. Symlinked folders are followed once (and counted in `info`).
 */
export async function discoverDagFiles(dagsFolder: string, info?: DiscoveryInfo): Promise<string[]> {
  const root = path.resolve(dagsFolder);
  const found: string[] = [];
  const visited = new Set<string>();

  async function walk(dir: string, inherited: IgnoreRule[]): Promise<void> {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      if (info?.inputs) info.inputs.set(dir, statKeyOf(await fs.stat(dir)));
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // vanished or unreadable: the next scan will tell
    }
    const rules = [...inherited, ...(await readIgnoreRules(dir, info?.inputs))];
    for (const entry of entries) {
      if (isSkippedName(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (isIgnored(full, rules)) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const stat = await fs.stat(full).catch(() => null);
        isDir = stat?.isDirectory() ?? false;
        isFile = stat?.isFile() ?? false;
        if (isDir && info) info.symlinkedFolders += 1;
      }
      if (isDir) await walk(full, rules);
      else if (isFile && isDagFileName(entry.name)) {
        found.push(full);
        if (entry.isSymbolicLink()) info?.symlinkedFiles?.add(full);
      }
    }
  }

  await walk(root, []);
  return found.sort();
}
