import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { ExternalChangeWatcher, notifySchedulers } from '../../src/scheduler/external-change-watcher';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';

/** Resolves with how long it took until `woken()` held, or rejects after `ms`. */
async function waitForWake(woken: () => boolean, ms: number): Promise<number> {
  const started = Date.now();
  while (!woken()) {
    if (Date.now() - started > ms) throw new Error(`not woken within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

const triggerSql = "INSERT INTO variable (key, val) VALUES (?, 'v')";

describe.each(DATABASE_KINDS)('external change watcher on %s', (kind) => {
  let close: () => Promise<void>;
  let ds: DataSource;
  let other: DataSource;
  let watcher: ExternalChangeWatcher | null = null;
  beforeEach(async () => {
    const opened = await openMigratedTestDatabase(kind);
    ds = opened.dataSource;
    other = await openDatabase(opened.db.url);
    close = opened.close;
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = null;
    await other.destroy();
    await close();
  });

  it('wakes within milliseconds when another process commits, without polling fast', async () => {
    let wakes = 0;
    // A 60 s safety-net poll: only the file-system events (SQLite) or NOTIFY (PostgreSQL) can wake it in time.
    watcher = new ExternalChangeWatcher(
      ds,
      () => {
        wakes += 1;
      },
      { slowPollMs: 60_000 },
    );
    await watcher.start();
    if (kind === 'sqlite') expect(watcher.sqliteWatcher?.watching).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wakes).toBe(0);
    const checksBefore = watcher.sqliteWatcher?.checks ?? 0;

    await execSql(other, triggerSql, ['k1']);
    await notifySchedulers(other);
    expect(await waitForWake(() => wakes > 0, 2_000)).toBeLessThan(500);

    // Idle: no reads of data_version while nothing changes.
    const quietFrom = watcher.sqliteWatcher?.checks ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (kind === 'sqlite') {
      expect(quietFrom).toBeGreaterThan(checksBefore);
      expect(watcher.sqliteWatcher!.checks).toBe(quietFrom);
    }
  });

  it('does not wake for commits of its own connection', async () => {
    let wakes = 0;
    watcher = new ExternalChangeWatcher(
      ds,
      () => {
        wakes += 1;
      },
      { slowPollMs: 50 },
    );
    await watcher.start();
    await execSql(ds, triggerSql, ['own']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wakes).toBe(0);
  });

  if (kind === 'sqlite') {
    it('watches where the database really is when its path is a symlink', async () => {
      const real = new URL(ds.options.database as string, 'file:///').pathname;
      const linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-link-'));
      const link = path.join(linkDir, 'dagctl.db');
      fs.symlinkSync(real, link);
      const viaLink = await openDatabase(`sqlite://${link}`);
      try {
        let wakes = 0;
        watcher = new ExternalChangeWatcher(
          viaLink,
          () => {
            wakes += 1;
          },
          { slowPollMs: 60_000 },
        );
        await watcher.start();
        await execSql(other, triggerSql, ['k3']);
        expect(await waitForWake(() => wakes > 0, 2_000)).toBeLessThan(500);
      } finally {
        await watcher?.stop();
        watcher = null;
        await viaLink.destroy();
        fs.rmSync(linkDir, { recursive: true, force: true });
      }
    });

    it('falls back to polling fast when the files cannot be watched', async () => {
      let wakes = 0;
      watcher = new ExternalChangeWatcher(
        ds,
        () => {
          wakes += 1;
        },
        { watchFiles: false, fastPollMs: 25, slowPollMs: 60_000 },
      );
      await watcher.start();
      expect(watcher.sqliteWatcher?.watching).toBe(false);
      await execSql(other, triggerSql, ['k2']);
      expect(await waitForWake(() => wakes > 0, 2_000)).toBeLessThan(500);
    });
  }
});
