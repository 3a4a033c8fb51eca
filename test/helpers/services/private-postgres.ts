import { errorMessage } from '../../../src/core/errors';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster for the tests when no shared server answers: initdb in a temp
 * folder (trust auth, user postgres), started with pg_ctl on a free port, stopped and deleted at
 * the end. Tuned for tests, not durability (fsync off). PostgreSQL refuses to run as root, so as
 * root it runs as the `postgres` (or `nobody`) user.
 */
export class PrivatePostgres {
  private readonly dir: string;
  private readonly owner: { uid: number; gid: number } | null;

  private constructor(
    private readonly binDir: string,
    readonly port: number,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-test-pg-'));
    this.owner = process.getuid?.() === 0 ? unprivilegedUser() : null;
    if (this.owner) fs.chownSync(this.dir, this.owner.uid, this.owner.gid);
  }

  /** The admin URL tests create their databases from. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  static async start(binDir: string, port: number): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(binDir, port);
    try {
      await pg.bin('initdb', [
        '-D',
        pg.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '-E',
        'UTF8',
        '--no-locale',
      ]);
      await pg.startServer();
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      await client.end();
      return pg;
    } catch (err) {
      const log = pg.logTail();
      pg.stopNow();
      throw new Error(`could not start a private PostgreSQL: ${errorMessage(err)}${log}`, { cause: err });
    }
  }

  /** pg_ctl start on the existing data folder (the cluster's settings: port, socket folder, tuning). */
  async startServer(): Promise<void> {
    const settings = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    const log = path.join(this.dir, 'postgres.log');
    await this.bin('pg_ctl', ['-D', this.dataDir, '-l', log, '-o', settings, '-w', '-t', '60', 'start']);
  }

  /** pg_ctl stop -m fast, keeping the data: every client's connection is cut. */
  async stopServer(): Promise<void> {
    await this.bin('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  async stop(): Promise<void> {
    try {
      await this.bin('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Stop it at once, synchronously (an exit handler, a failed start). */
  stopNow(): void {
    try {
      execFileSync(path.join(this.binDir, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'], {
        stdio: 'ignore',
        ...this.spawnOptions(),
      });
    } catch {
      // not running
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async bin(name: string, args: string[]): Promise<void> {
    await run(path.join(this.binDir, name), args, this.spawnOptions());
  }

  private spawnOptions(): { cwd: string; uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
    // LC_ALL=C: initdb fails on a locale the machine does not have.
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    return this.owner ? { cwd: this.dir, ...this.owner, env } : { cwd: this.dir, env };
  }

  private logTail(): string {
    try {
      const log = fs.readFileSync(path.join(this.dir, 'postgres.log'), 'utf8').trim().split('\n').slice(-3);
      return log.length ? ` (log: ${log.join(' | ')})` : '';
    } catch {
      return '';
    }
  }
}

/** uid and gid of the `postgres` user (Debian's package creates it), else of `nobody`. */
function unprivilegedUser(): { uid: number; gid: number } {
  const users = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = users.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and no postgres or nobody user to run PostgreSQL as');
}
