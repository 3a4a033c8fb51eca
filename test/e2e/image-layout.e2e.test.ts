import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, stopProcess } from '../helpers/cli';
import { eventuallyDefined } from '../helpers/eventually';
import { freePort } from '../helpers/free-port';
import { layOutStage, StageLayout, stepEnv } from '../helpers/lay-out-image-stage';
import { parseDockerfile } from '../helpers/parse-dockerfile';

// The build stage runs the real `npm ci` (native modules compile) and `tsc`: minutes, not seconds.
jest.setTimeout(20 * 60_000);

/** PATH of the node base images, where the entrypoint's command is looked up. */
const IMAGE_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const ADMIN_PASSWORD = 'image-layout-S3cret';

/**
 * The Docker image, without a Docker engine: each stage is laid out from exactly the files its
 * COPY lines name (parsed from the Dockerfile) and its steps are carried out there — the build
 * stage runs `npm ci` (whose `prepare` builds) and `npm prune` for real — then the runtime layout's
 * ENTRYPOINT + CMD (`dagctl standalone`) is started, with DAGCTL_HOME at its place in the layout.
 * A step or a start that needs a file no COPY brought in fails here as it would in `docker build`
 * or `docker run`.
 */
describe('the Docker image, laid out from the Dockerfile', () => {
  const stages = parseDockerfile(fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const earlier = new Map<string, StageLayout>();
  let work: string;
  let runtimeLayout: StageLayout | undefined;
  /** Each step needs the one before: say so rather than fail with a TypeError. */
  const built = (): void => {
    if (earlier.size !== stages.length - 1) throw new Error('the build stage did not lay out: see the first failure');
  };
  const laidOut = (): StageLayout => {
    if (!runtimeLayout) throw new Error('the runtime stage did not lay out: see the earlier failures');
    return runtimeLayout;
  };

  beforeAll(() => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-image-')));
    // Node also looks for modules in every parent folder: one above the layout could hide a missing COPY.
    for (let dir = path.dirname(work); ; dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules')) ? path.join(dir, 'node_modules') : null).toBeNull();
      if (dir === path.dirname(dir)) break;
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('builds: the build stage runs npm ci and npm prune with only what its COPY lines bring in', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    stages.slice(0, -1).forEach((stage, index) => {
      const layout = layOutStage(stage, { context: REPO_ROOT, root: path.join(work, `stage-${index}`), earlier });
      earlier.set(stage.name ?? String(index), layout);
    });
  });

  it('lays out the runtime stage: compiled code and production modules, a non-root user owning home and logs', () => {
    built();
    const runtime = layOutStage(stages.at(-1)!, { context: REPO_ROOT, root: path.join(work, 'runtime'), earlier });
    runtimeLayout = runtime;
    expect(fs.readdirSync(runtime.hostPath(runtime.workdir)).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    // Production modules only: jest is a devDependency (typescript is not: `dags check` needs it).
    expect(fs.existsSync(runtime.hostPath(path.posix.join(runtime.workdir, 'node_modules', 'jest')))).toBe(false);
    expect(fs.existsSync(runtime.hostPath(path.posix.join(runtime.workdir, 'node_modules', 'ajv')))).toBe(true);
    expect(runtime.user).not.toBe('root');
    const home = runtime.env.DAGCTL_HOME;
    expect(runtime.ownerOf(home)).toBe(runtime.user);
    expect(fs.readdirSync(runtime.hostPath(path.posix.join(home, 'dags')))).toContain('hello_world.ts');
    expect(runtime.volumes).toEqual([{ path: path.posix.join(home, 'logs'), owner: runtime.user }]);
  });

  it('starts `dagctl standalone` from the runtime layout: health, API, UI, and a DAG run to success', async () => {
    const runtime = laidOut();
    // ENTRYPOINT + CMD, e.g. /usr/bin/tini -- dagctl standalone: an init the image installs, then dagctl.
    let command = [...runtime.entrypoint, ...runtime.cmd];
    if (path.posix.basename(command[0]) === 'tini') {
      expect([runtime.packages.has('tini'), command[1]]).toEqual([true, '--']);
      command = command.slice(2);
    }
    expect(command).toEqual(['dagctl', 'standalone']);
    const bin = IMAGE_PATH.map((dir) => runtime.hostPath(path.posix.join(dir, command[0]))).find((f) =>
      fs.existsSync(f),
    );
    expect(bin).toBeDefined();
    fs.accessSync(bin!, fs.constants.X_OK); // the image executes it through its `#!/usr/bin/env node` line
    expect(fs.readFileSync(bin!, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');

    const port = await freePort();
    const imageEnv = Object.fromEntries(
      Object.entries(runtime.env).map(([key, value]) => [key, value.startsWith('/') ? runtime.hostPath(value) : value]),
    );
    const env = {
      ...stepEnv(imageEnv),
      DAGCTL__WEBSERVER__HOST: '127.0.0.1', // the image listens on 0.0.0.0; a test stays local
      DAGCTL__WEBSERVER__PORT: String(port),
      DAGCTL_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
    const child = spawn(process.execPath, [bin!, ...command.slice(1)], {
      cwd: runtime.hostPath(runtime.workdir),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exitedEarly = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`standalone exited (${code ?? signal}):\n${output}`))),
    );
    exitedEarly.catch(() => undefined); // raced below; after a clean stop nobody awaits it
    const untilExit = <T>(wait: Promise<T>): Promise<T> => Promise.race([wait, exitedEarly]);

    const base = `http://127.0.0.1:${port}`;
    const auth = { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
    const getJson = async <T>(url: string): Promise<T> => {
      const res = await fetch(`${base}${url}`, { headers: auth });
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    let stopped: number | null | undefined;
    try {
      await untilExit(
        eventuallyDefined(
          'GET /api/v1/health to answer 200 with the database and the scheduler healthy',
          async () => {
            const res = await fetch(`${base}/api/v1/health`).catch(() => undefined);
            const health = res?.status === 200 ? ((await res.json()) as Record<string, { status: string }>) : undefined;
            const healthy = health?.metadatabase.status === 'healthy' && health.scheduler.status === 'healthy';
            return healthy || undefined;
          },
          180_000,
          250,
        ),
      );
      // package.json, the OpenAPI document, the UI's views and static files are all in the layout.
      const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
      expect(await getJson('/api/v1/version')).toEqual({ version, git_version: null });
      expect((await getJson<{ openapi: string }>('/api/v1/openapi.json')).openapi).toMatch(/^3\./);
      const login = await fetch(`${base}/login`);
      expect([login.status, await login.text()]).toEqual([200, expect.stringContaining('<form')]);
      expect((await fetch(`${base}/ui/static/ui.css`)).status).toBe(200);

      // The example DAGs parse, a run of hello_world runs its tasks and writes logs into the volume.
      await untilExit(
        eventuallyDefined('hello_world to be parsed', async () => {
          const { dags } = await getJson<{ dags: Array<{ dag_id: string }> }>('/api/v1/dags');
          return dags.some((d) => d.dag_id === 'hello_world') || undefined;
        }),
      );
      const trigger = await fetch(`${base}/api/v1/dags/hello_world/dagRuns`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ dag_run_id: 'image_layout' }),
      });
      expect(trigger.status).toBe(200);
      const state = await untilExit(
        eventuallyDefined('the hello_world run to finish', async () => {
          const run = await getJson<{ state: string }>('/api/v1/dags/hello_world/dagRuns/image_layout');
          return ['success', 'failed'].includes(run.state) ? run.state : undefined;
        }),
      );
      expect(state).toBe('success');
      const logs = fs.readdirSync(runtime.hostPath(runtime.volumes[0].path), { recursive: true }) as string[];
      // EmptyOperator tasks are not executed (as in Airflow), so only hello_task has a log.
      expect(logs).toContain('dag_id=hello_world/run_id=image_layout/task_id=hello_task/attempt=1.log');
    } finally {
      stopped = await stopProcess(child);
    }
    expect([stopped, output]).toEqual([0, expect.stringContaining('dagctl is ready')]);
  });
});
