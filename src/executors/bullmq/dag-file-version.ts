import fs from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../core/content-hash';
import type { TaskJobData } from './task-job';

const hashes = new Map<string, { key: string; hash: string }>();

/** SHA-256 of a file's text, re-read only when its stat changed (a replaced file has a new inode). */
function fileHash(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  const key = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  const cached = hashes.get(file);
  if (cached?.key === key) return cached.hash;
  const hash = contentHash(fs.readFileSync(file, 'utf8'));
  hashes.set(file, { key, hash });
  return hash;
}

/** Where this worker finds the job's DAG file: the same relative path in its own dags folder. */
export function localFileloc(job: TaskJobData, dagsFolder: string): string {
  return job.relativeFileloc ? path.join(dagsFolder, job.relativeFileloc) : job.workload.fileloc;
}

/**
 * The version policy of dagctl workers: a try runs only with the DAG file version the scheduler
 * parsed. Returns a one-line reason when this worker's copy differs, else null. (A missing file
 * is not a version problem: the runner fails the try with "no longer exists".)
 */
export function dagVersionMismatch(job: TaskJobData, file: string, hostname: string): string | null {
  if (!job.sourceHash) return null;
  const local = fileHash(file);
  if (local === null || local === job.sourceHash) return null;
  return (
    `DAG file ${job.relativeFileloc ?? file} on worker ${hostname} is another version than the scheduler parsed ` +
    `(scheduler ${job.sourceHash.slice(0, 12)}, worker ${local.slice(0, 12)}): ` +
    'deploy the same dags folder to every worker'
  );
}
