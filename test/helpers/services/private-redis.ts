import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../eventually';

/**
 * A redis-server of our own on a port of our choosing (never the shared one), without
 * persistence: killing it loses every key, like a Redis restarted from scratch. It runs as a child
 * of the test process, so it does not outlive an interrupted run.
 */
export class PrivateRedis {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-redis-'));
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly binary = 'redis-server',
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start the server and resolve once it answers PING. */
  async start(): Promise<void> {
    const log = fs.openSync(path.join(this.dir, 'redis.log'), 'a');
    const child = spawn(
      this.binary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.child = child;
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`redis-server on port ${this.port} exited (${signal ?? code}): ${this.logTail()}`)),
      );
    });
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      eventually(() => ping(this.url), { what: `redis-server on port ${this.port} to answer`, timeoutMs: 20_000 }),
    ]);
  }

  /** SIGKILL the server and wait until it is gone (its data is gone with it). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** Freeze (SIGSTOP) or thaw (SIGCONT) the server: clients' connections stay open, unanswered. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.child) throw new Error(`redis-server on port ${this.port} is not running`);
    this.child.kill(signal);
  }

  /** Kill it if it runs, now, from an exit handler. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  async remove(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private logTail(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'redis.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
    } catch {
      return '';
    }
  }
}

/** Resolves true when a Redis answers PING at `url` within `timeoutMs`, else false (never throws). */
export function ping(url: string, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port, username, password } = new URL(url);
  // Plain RESP over a socket: a client library would keep its reconnect timers alive after a refusal.
  const auth = password
    ? `AUTH ${username ? `${decodeURIComponent(username)} ` : ''}${decodeURIComponent(password)}\r\n`
    : '';
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(`${auth}PING\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-')) done(false);
    });
  });
}
