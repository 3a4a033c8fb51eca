import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchReport } from '../../scripts/bench/report';
import { SCENARIOS } from '../../scripts/bench/main';
import { PG_ADMIN_URL } from '../helpers/test-database';
import { TEST_REDIS_URL } from '../helpers/test-redis';

const ROOT = path.resolve(__dirname, '..', '..');

/** Run `jiti scripts/bench/main.ts args…` (what `npm run bench` runs after the build). */
function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // The benchmark runs on the tests' PostgreSQL and Redis (shared or private, see test/helpers/services).
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DAGCTL_BENCH_PG_URL: PG_ADMIN_URL,
      DAGCTL_BENCH_REDIS_URL: TEST_REDIS_URL,
    };
    delete env.DAGCTL__LOGGING__LEVEL;
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs'),
        path.join(ROOT, 'scripts', 'bench', 'main.ts'),
        ...args,
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`the quick benchmark did not finish in ${timeoutMs / 1000} s: ${output.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm run bench -- --quick', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-bench-test-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('runs every scenario and baseline and writes a figure for each (timings are not asserted)', async () => {
    const { code, output } = await runBench(['--quick', '--out', out], 540_000);
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });

    const report = JSON.parse(fs.readFileSync(path.join(out, 'benchmarks.json'), 'utf8')) as BenchReport;
    expect(report.mode).toBe('quick');
    expect(report.machine.cores).toBeGreaterThan(0);
    const ids = new Set(report.figures.map((f) => f.id));
    expect([...ids].sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
    const notMeasured = report.figures.filter(
      (f) => f.status !== 'ok' || f.median === null || !Number.isFinite(f.median),
    );
    expect(notMeasured.map((f) => `${f.scenario} ${f.executor}+${f.database}: ${f.reason}`)).toEqual([]);
    // Both executors' variants ran where the issue names bullmq.
    for (const id of ['chain40', 'hop', 'fanout1000']) {
      expect(new Set(report.figures.filter((f) => f.id === id).map((f) => f.executor))).toEqual(
        new Set(['local', 'bullmq']),
      );
    }
    // The fanouts say where their CPU went, per process, so a missed target can be explained.
    for (const f of report.figures.filter((fig) => fig.id === 'fanout1000')) {
      expect(f.notes.join(' ')).toMatch(/CPU per task in the last repetition \(from \/proc\): scheduler [\d.]+ ms/);
      expect(f.notes.join(' ')).toMatch(
        /scheduler loops in the last repetition: \d+ .*SQL over the scenario: [\d.]+ statements per loop/,
      );
    }

    const markdown = fs.readFileSync(path.join(out, 'BENCHMARKS.md'), 'utf8');
    expect(markdown).toContain('| scenario | figure | executor | database |');
    expect(markdown).toContain(report.machine.cpuModel);
    for (const f of report.figures) expect(markdown).toContain(f.metric);
  }, 600_000);
});

describe('bench argument handling', () => {
  it('refuses an unknown scenario name with a one-line reason', async () => {
    const { code, output } = await runBench(['--quick', '--only', 'nosuch', '--out', os.tmpdir()], 60_000);
    expect(code).not.toBe(0);
    expect(output).toMatch(/unknown scenario 'nosuch'/);
  }, 90_000);
});
