import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A redis-server of a test's own (never the shared one), without persistence: stopping it loses
 * every key, like a Redis restarted from scratch.
 */
export class PrivateRedis {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private get pidFile(): string {
    return path.join(this.dir, 'redis.pid');
  }

  start(): void {
    execFileSync('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--pidfile',
      this.pidFile,
      '--dir',
      this.dir,
      '--logfile',
      path.join(this.dir, 'redis.log'),
    ]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (
          execFileSync('redis-cli', ['-p', String(this.port), 'ping'])
            .toString()
            .trim() === 'PONG'
        )
          return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      execFileSync('sleep', ['0.1']);
    }
  }

  /** SIGKILL the server (its data is gone). */
  kill(): void {
    const pid = this.pid();
    if (pid === null) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        execFileSync('sleep', ['0.05']);
      } catch {
        break;
      }
    }
    fs.rmSync(this.pidFile, { force: true });
  }

  remove(): void {
    this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private pid(): number | null {
    try {
      return Number(fs.readFileSync(this.pidFile, 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }
}
