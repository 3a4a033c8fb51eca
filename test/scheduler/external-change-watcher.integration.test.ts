import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { ExternalChangeWatcher, notifySchedulers } from '../../src/scheduler/external-change-watcher';
import { eventually } from '../helpers/eventually';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';

/**
 * The watchers' safety-net poll is 60 s and `eventually` gives up after 10 s: a wake seen in time
 * came from the file-system events (SQLite) or NOTIFY (PostgreSQL), not from polling. How fast it
 * comes is a figure of `npm run bench` (the wake scenario), not a test threshold.
 */
const SOON = { timeoutMs: 10_000, intervalMs: 5 };

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

  it('wakes when another process commits, without polling fast', async () => {
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

    await execSql(other, triggerSql, ['k1']);
    await notifySchedulers(other);
    await eventually(() => wakes > 0, { ...SOON, what: 'a wake after the commit' });
    // One commit, one wake: starting did not wake it.
    expect(wakes).toBe(1);
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
    if (kind === 'sqlite') {
      // Two version reads that began after the commit (polls or events) saw nothing to wake for.
      const checks = watcher.sqliteWatcher!.checks;
      await eventually(() => watcher!.sqliteWatcher!.checks >= checks + 2, { ...SOON, what: 'two more checks' });
      expect(wakes).toBe(0);
    }
    // Then a commit of another connection: the one wake is its.
    await execSql(other, triggerSql, ['theirs']);
    await notifySchedulers(other);
    await eventually(() => wakes > 0, { ...SOON, what: "a wake after the other connection's commit" });
    expect(wakes).toBe(1);
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
        await eventually(() => wakes > 0, { ...SOON, what: 'a wake through the symlinked path' });
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
      // Not watching, with a 60 s slow poll: only the fast poll can wake it within SOON.
      await eventually(() => wakes > 0, { ...SOON, what: 'a wake from the fast poll' });
    });
  }
});
