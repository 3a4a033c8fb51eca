import { ChildProcess, spawn } from 'node:child_process';
import { Command } from 'commander';
import { distEntry } from '../../core/dist-path';
import { redactUrl } from '../../db/data-source';
import { ensureFernetKey } from '../../services/fernet-key-file';
import { initDatabase } from '../../services/init-database';
import { withAppContext } from '../cli-context';
import { assertCanListen } from '../listen-error';
import { printLine } from '../output';
import { parseIntArg } from '../parse-args';

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number>;
}

/** Start `dagctl <command>` as a child in its own process group; its stdout lines go to `onLine`. */
function startChild(name: string, args: string[], onLine: (line: string) => void): Child {
  const child = spawn(process.execPath, [distEntry('cli/main'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
    env: process.env,
  });
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    child.on('error', () => resolve(1));
  });
  return { name, process: child, exited };
}

interface StandaloneOptions {
  port?: number;
  hostname?: string;
}

async function prepare(options: StandaloneOptions): Promise<{ host: string; port: number; login: string | null }> {
  return withAppContext(
    async (ctx) => {
      const { generatedInto } = ensureFernetKey(ctx.config);
      if (generatedInto) printLine(`standalone | generated core.fernet_key in ${generatedInto}`);
      const result = await initDatabase(ctx.dataSource);
      if (result.applied.length > 0)
        printLine(`standalone | initialized the metadata database at ${redactUrl(ctx.config.database.url)}`);
      const { ADMIN_PASSWORD_ENV, ensureAdminUser } = await import('../../auth/ensure-admin-user');
      const admin = await ensureAdminUser(ctx, { password: process.env[ADMIN_PASSWORD_ENV] });
      let login: string | null = null;
      if (admin.passwordGiven) login = `username admin and the password in ${ADMIN_PASSWORD_ENV}`;
      else if (admin.created) login = `username admin, password ${admin.password} (also in ${admin.file})`;
      else if (admin.file) login = `username admin, password in ${admin.file}`;
      const host = options.hostname ?? ctx.config.webserver.host;
      const port = options.port ?? ctx.config.webserver.port;
      // A busy port is one line and exit 1 here, before the scheduler starts for nothing.
      await assertCanListen(host, port);
      return { host, port, login };
    },
    { allowUnmigrated: true },
  );
}

/**
 * `dagctl standalone`: initdb if needed, then the scheduler and the web server as two child
 * processes. Signals are forwarded; when either child exits the other is stopped and
 * standalone exits too (nothing is restarted behind the user's back).
 */
async function standalone(options: StandaloneOptions): Promise<void> {
  const { host, port, login } = await prepare(options);
  const url = `http://${host}:${port}`;
  let stopping = false;
  const children: Child[] = [];
  const stopAll = (signal: NodeJS.Signals): void => {
    for (const child of children) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      stopAll('SIGKILL');
      return;
    }
    stopping = true;
    process.stderr.write(`standalone | ${signal} received: stopping the scheduler and the web server\n`);
    stopAll(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Never leave children behind, even if this process is ended abruptly by an error.
  process.on('exit', () => stopAll('SIGKILL'));

  const relay =
    (prefix: string) =>
    (line: string): void => {
      printLine(`${prefix} | ${line}`);
      const listening = /listening at (\S+)/.exec(line);
      if (prefix === 'webserver' && listening) {
        printLine(`standalone | dagctl is ready at ${listening[1]}${login ? ` — log in with ${login}` : ''}`);
      }
    };
  children.push(startChild('scheduler', ['scheduler'], relay('scheduler')));
  children.push(startChild('webserver', ['webserver', '-p', String(port), '-H', host], relay('webserver')));
  printLine(`standalone | starting the scheduler and the web server (${url})`);

  const first = await Promise.race(children.map((child) => child.exited.then((code) => ({ child, code }))));
  const userStopped = stopping;
  if (!userStopped) {
    process.stderr.write(`standalone | the ${first.child.name} exited with code ${first.code}: stopping\n`);
    stopping = true;
    stopAll('SIGTERM');
  }
  const codes = await Promise.all(children.map((child) => child.exited));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // A stop the user asked for is success when both children stopped cleanly; a child that
  // ended on its own is a failure whatever its code.
  if (userStopped) process.exitCode = codes.find((code) => code !== 0) ?? 0;
  else process.exitCode = first.code || 1;
}

export function registerStandaloneCommand(program: Command): void {
  program
    .command('standalone')
    .description('initialize the database if needed, then run the scheduler and the web server together')
    .option('-p, --port <port>', 'port the web server listens on (default webserver.port)', (v) =>
      parseIntArg(v, '--port', 0, 65535),
    )
    .option('-H, --hostname <host>', 'address the web server listens on (default webserver.host)')
    .action(standalone);
}
