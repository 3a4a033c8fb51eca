import type { DataSource } from 'typeorm';
import { Clock, systemClock } from '../../core/clock';
import { execSql } from '../../db/sql';
import { contentHash } from '../../core/content-hash';

/**
 * SHA-256 of each DAG file's source as the DAG processor last stored it (`dag_code`), sent with
 * every job so a worker can tell that its copy of the file is another version. Cached briefly:
 * one lookup per file per few seconds, not per try.
 */
export class DagSourceHashes {
  private readonly cache = new Map<string, { hash: string | null; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = 5000,
  ) {}

  async get(fileloc: string): Promise<string | null> {
    const cached = this.cache.get(fileloc);
    const now = this.clock.now().getTime();
    if (cached && now - cached.at < this.ttlMs) return cached.hash;
    const { records } = await execSql<{ source_code: string }>(
      this.dataSource,
      'SELECT source_code FROM dag_code WHERE fileloc = ?',
      [fileloc],
    );
    const hash = records.length ? contentHash(records[0].source_code) : null;
    this.cache.set(fileloc, { hash, at: now });
    return hash;
  }
}
