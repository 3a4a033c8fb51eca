import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

/** The channel other processes NOTIFY on PostgreSQL after triggering or clearing runs. */
export const SCHEDULER_CHANNEL = 'dagctl_scheduler';

/**
 * Wakes the scheduler when ANOTHER process changed the metadata DB (a CLI trigger, a web
 * action), so manual runs start in milliseconds rather than at the next idle tick.
 * SQLite: `PRAGMA data_version` changes exactly when another connection commits — a cheap poll.
 * PostgreSQL: LISTEN on a channel that writers NOTIFY.
 */
export class ExternalChangeWatcher {
  private timer: NodeJS.Timeout | null = null;
  private client: Client | null = null;
  private lastVersion: number | null = null;

  constructor(private readonly ds: DataSource, private readonly onChange: () => void, private readonly pollMs = 25) {}

  async start(): Promise<void> {
    if (this.ds.options.type === 'postgres') {
      const options = this.ds.options as { url?: string };
      try {
        this.client = new Client({ connectionString: options.url });
        this.client.on('error', (err) => log.warn(`LISTEN connection error: ${err.message}`));
        await this.client.connect();
        this.client.on('notification', () => this.onChange());
        await this.client.query(`LISTEN ${SCHEDULER_CHANNEL}`);
      } catch (err) {
        log.warn(`cannot LISTEN for changes (falling back to polling): ${(err as Error).message}`);
        this.client = null;
      }
      return;
    }
    // Straight to better-sqlite3: this runs 40 times a second and must cost next to nothing idle.
    const connection = (this.ds.driver as unknown as { databaseConnection?: { pragma(sql: string, options: { simple: true }): unknown } }).databaseConnection;
    const readVersion = async (): Promise<number> => {
      if (connection) return Number(connection.pragma('data_version', { simple: true }));
      const { records } = await execSql<{ data_version: number }>(this.ds, 'PRAGMA data_version');
      return Number(records[0]?.data_version);
    };
    const poll = async () => {
      try {
        const version = await readVersion();
        if (this.lastVersion !== null && version !== this.lastVersion) this.onChange();
        this.lastVersion = version;
      } catch {
        // The DB may be closing; the next poll retries.
      }
      if (this.timer) this.timer = setTimeout(poll, this.pollMs);
    };
    this.timer = setTimeout(poll, this.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.client) await this.client.end().catch(() => undefined);
    this.client = null;
  }
}

/** Tell running schedulers to look now (PostgreSQL; on SQLite the data_version poll sees commits). */
export async function notifySchedulers(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'postgres') return;
  await ds.query(`NOTIFY ${SCHEDULER_CHANNEL}`).catch(() => undefined);
}
