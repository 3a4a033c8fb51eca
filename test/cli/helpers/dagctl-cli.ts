import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../../helpers/test-database';

/** The built binary: CLI tests run exactly what users run. */
export const DAGCTL_BIN = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  home: string;
  db: TestDatabase;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<CliResult>;
  /** Run and require exit 0; returns stdout. */
  ok(args: string[]): Promise<string>;
  json<T = unknown>(args: string[]): Promise<T>;
  writeDag(name: string, text: string): void;
  close(): Promise<void>;
}

/** Environment without the caller's DAGCTL settings, so tests never touch a real install. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DAGCTL')));
}

export function runDagctl(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [DAGCTL_BIN, ...args],
      { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const failure = err as (Error & { code?: unknown; signal?: string | null }) | null;
        const code = failure ? (typeof failure.code === 'number' ? failure.code : 1) : 0;
        // A child killed by a signal has no exit code: say so, for the test's failure message.
        resolve({ code, stdout, stderr: failure?.signal ? `${stderr}[killed by ${failure.signal}]` : stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A temporary DAGCTL_HOME (with an empty dags folder) and its own test database. */
export async function createCliHome(kind: TestDatabaseKind = 'sqlite'): Promise<CliHome> {
  if (!fs.existsSync(DAGCTL_BIN)) throw new Error(`${DAGCTL_BIN} is missing: run 'npm run build' first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-cli-'));
  fs.mkdirSync(path.join(home, 'dags'));
  const db = await createTestDatabase(kind);
  const env = {
    ...cleanEnv(),
    DAGCTL_HOME: home,
    DAGCTL__DATABASE__URL: db.url,
    DAGCTL__SCHEDULER__PARSING_PROCESSES: '1',
  };
  const run = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> =>
    runDagctl(args, { ...env, ...options.env }, options.input);
  const ok = async (args: string[]): Promise<string> => {
    const result = await run(args);
    if (result.code !== 0) throw new Error(`dagctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };
  return {
    home,
    db,
    env,
    run,
    ok,
    json: async <T>(args: string[]) => JSON.parse(await ok([...args, '-o', 'json'])) as T,
    writeDag: (name, text) => fs.writeFileSync(path.join(home, 'dags', name), text),
    close: async () => {
      await db.drop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A failed command: the expected exit code, one line on stderr matching `message`, no stack trace. */
export function expectCliError(result: CliResult, code: number, message: RegExp | string): void {
  expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({ code, stderr: expect.stringMatching(message) });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}
