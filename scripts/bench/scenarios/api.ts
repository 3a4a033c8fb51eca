import { createBenchHome } from '../bench-home';
import { smallScheduledDag } from '../dag-sources';
import { parseDagsFolder } from '../dag-scenario';
import { AppContext, engine, requireDependency } from '../engine';
import { guardVariant } from '../guard-variant';
import { BenchProcess, startDagctl } from '../processes';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median } from '../stats';
import { sampleTree } from '../proc-stats';
import { GiveUp, waitUntil } from '../wait-until';

interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const PATH = '/api/v1/dags?limit=100';

/**
 * api: `dagctl webserver` over N DAGs; autocannon (in this process) with C connections on
 * GET /api/v1/dags?limit=100 with Basic auth for S seconds per repetition, after a 1 s warm-up.
 */
export const api: Scenario = {
  name: 'api',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const { apiDags, apiSeconds, apiConnections } = bench.sizes;
    const base = {
      scenario: 'api',
      executor: '-',
      database: 'sqlite',
      size: `${apiDags} DAGs, ${apiConnections} connections, ${apiSeconds} s`,
    } as const;
    const p99Spec: FigureSpec = {
      ...base,
      metric: `p99 latency of GET ${PATH}`,
      unit: 'ms',
      target: atMost(50, '≤ 50 ms'),
    };
    const rpsSpec: FigureSpec = { ...base, metric: 'requests/s', unit: 'req/s', target: null };
    return guardVariant(bench, [p99Spec, rpsSpec], async () => {
      const home = await createBenchHome({ executor: 'local', database: 'sqlite' });
      let ctx: AppContext | null = null;
      let server: BenchProcess | null = null;
      try {
        for (let i = 0; i < apiDags; i += 1) {
          const id = `api_dag_${String(i).padStart(4, '0')}`;
          home.writeDag(`${id}.ts`, smallScheduledDag(id, 10));
        }
        await home.migrate();
        ctx = await home.openContext();
        await parseDagsFolder(ctx);
        const password = `bench-${Math.random().toString(36).slice(2)}`;
        await engine.users().createUser(ctx, { username: 'bench', password, role: 'admin' });
        await engine.appContext().closeAppContext(ctx);
        ctx = null;
        const nodeArgs = bench.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${bench.profileDir}`] : [];
        server = startDagctl(['webserver', '-H', '127.0.0.1', '-p', '0'], {
          name: 'webserver',
          env: home.env,
          cwd: home.dir,
          nodeArgs,
        });
        const proc = server;
        const url = await waitUntil(
          'the web server to listen',
          () => {
            const m = /listening (?:at|on) (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.log());
            if (!m && proc.exited())
              throw new GiveUp(`webserver exited: ${proc.log().trim().split('\n').slice(-3).join(' | ')}`);
            return m?.[1];
          },
          60_000,
          50,
        );
        const headers = { authorization: `Basic ${Buffer.from(`bench:${password}`).toString('base64')}` };
        const check = await fetch(`${url}${PATH}`, { headers });
        if (check.status !== 200)
          throw new Error(`GET ${PATH} answered ${check.status}: ${(await check.text()).slice(0, 200)}`);
        const text = await check.text();
        const body = JSON.parse(text) as { dags?: unknown[]; total_entries?: number };
        if (body.dags?.length !== Math.min(100, apiDags))
          throw new Error(`GET ${PATH} returned ${body.dags?.length} DAGs, expected ${Math.min(100, apiDags)}`);
        const autocannon = requireDependency<Autocannon>('autocannon');
        const shoot = (seconds: number) =>
          autocannon({ url: `${url}${PATH}`, connections: apiConnections, duration: seconds, headers });
        await shoot(1);
        const p99: number[] = [];
        const rps: number[] = [];
        const p50: number[] = [];
        const cpuPerRequestMs: number[] = [];
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const before = sampleTree(proc.pid);
          const r = await shoot(apiSeconds);
          const after = sampleTree(proc.pid);
          const requests = r.requests.average * apiSeconds;
          cpuPerRequestMs.push(Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / requests) / 1000);
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
          p99.push(r.latency.p99);
          p50.push(r.latency.p50);
          rps.push(r.requests.average);
        }
        const notes = [
          `p50 ${median(p50)} ms`,
          `web server CPU per request ${median(cpuPerRequestMs)} ms (${cpuPerRequestMs.join(', ')})`,
          `response ${Math.round(Buffer.byteLength(text) / 1024)} KiB`,
          'autocannon runs in the benchmark process on the same 2 cores as the server',
        ];
        return [measured({ ...p99Spec, notes }, p99), measured(rpsSpec, rps)];
      } finally {
        await server?.stop(10_000);
        if (ctx)
          await engine
            .appContext()
            .closeAppContext(ctx)
            .catch(() => undefined);
        await home.cleanup();
      }
    });
  },
};
