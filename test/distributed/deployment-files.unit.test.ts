import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { buildProgram } from '../../src/cli/program';
import { parseDockerfile, type DockerInstruction } from '../helpers/parse-dockerfile';

const repo = path.resolve(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(repo, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** The sub-command an argument list names, checked against dagctl's own command tree. */
function assertDagctlCommand(args: string[]): Command {
  const program = buildProgram();
  const command = program.commands.find((c) => c.name() === args[0] || c.aliases().includes(args[0]));
  if (!command) throw new Error(`'${args.join(' ')}' is not a dagctl command`);
  const known = new Set(command.options.flatMap((o) => [o.short, o.long].filter(Boolean)));
  for (const arg of args.slice(1)) if (arg.startsWith('-')) expect(known).toContain(arg);
  return command;
}

describe('deployment files', () => {
  const dockerfile = read('Dockerfile');

  it('the image runs dagctl as its entrypoint with DAGCTL_HOME /opt/dagctl', () => {
    expect(dockerfile).toMatch(/ENTRYPOINT \[.*"dagctl"\]/);
    expect(dockerfile).toMatch(/DAGCTL_HOME=\/opt\/dagctl/);
    expect(dockerfile).toContain('/opt/dagctl/dags');
  });

  // test/e2e/image-layout.e2e.test.ts builds and starts the image's layout; these are its quick checks.
  describe('Dockerfile', () => {
    const [build, runtime] = parseDockerfile(dockerfile);
    const copies = (instructions: DockerInstruction[]) =>
      instructions.flatMap((i) => (i.kind === 'COPY' ? [{ from: i.from ?? null, sources: i.sources }] : []));

    it('copies into the build stage every script that npm ci (prepare) and npm run build run', () => {
      const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
      const scripts = [pkg.scripts.prepare, pkg.scripts.build].join(' ').match(/scripts\/\S+/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      const copied = copies(build.instructions).flatMap((c) => c.sources);
      for (const script of scripts)
        expect([script, copied.some((s) => script === s || script.startsWith(`${s.replace(/\/$/, '')}/`))]).toEqual([
          script,
          true,
        ]);
    });

    it('copies into the runtime stage only the build output, package.json and the example DAGs', () => {
      expect(build.name).toBeDefined();
      expect(copies(runtime.instructions)).toEqual([
        { from: build.name, sources: ['/app/package.json'] },
        { from: build.name, sources: ['/app/node_modules'] },
        { from: build.name, sources: ['/app/dist'] },
        { from: null, sources: ['dags'] },
      ]);
    });
  });

  describe('docker-compose.yml', () => {
    const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, ComposeService>;
      volumes: Record<string, unknown>;
    };
    const dagctlServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

    it('has PostgreSQL, Redis, initdb, two schedulers, two workers and the web server', () => {
      expect(compose.services.postgres.image).toMatch(/^postgres:/);
      expect(compose.services.redis.image).toMatch(/^redis:/);
      const byCommand = (name: string) => dagctlServices.filter(([, s]) => s.command?.[0] === name).map(([id]) => id);
      expect(byCommand('initdb')).toEqual(['initdb']);
      expect(byCommand('scheduler')).toHaveLength(2);
      expect(byCommand('worker')).toHaveLength(2);
      expect(byCommand('webserver')).toEqual(['webserver']);
    });

    it('builds every dagctl service from the repository Dockerfile and runs real dagctl commands', () => {
      for (const [id, service] of dagctlServices) {
        expect([id, service.image, service.build]).toEqual([id, 'dagctl:local', '.']);
        assertDagctlCommand(service.command as string[]);
      }
    });

    it("shares one dags volume at the image's dags folder, and gives workers no database credentials", () => {
      for (const [, service] of dagctlServices.filter(([id]) => id !== 'initdb'))
        expect(service.volumes).toContain('dags:/opt/dagctl/dags');
      expect(compose.volumes).toHaveProperty('dags');
      for (const [id, service] of dagctlServices) {
        expect(service.environment?.DAGCTL__CORE__EXECUTOR).toBe('bullmq');
        expect(service.environment?.DAGCTL__REDIS__URL).toBe('redis://redis:6379');
        if (service.command?.[0] === 'worker') expect(service.environment).not.toHaveProperty('DAGCTL__DATABASE__URL');
        else
          expect([id, service.environment?.DAGCTL__DATABASE__URL]).toEqual([
            id,
            expect.stringMatching(/^postgres:\/\/.*@postgres:5432\/dagctl$/),
          ]);
      }
      expect(compose.services['scheduler-1'].depends_on?.initdb.condition).toBe('service_completed_successfully');
    });

    it("creates the admin user once, in initdb, with DAGCTL_ADMIN_PASSWORD from the host's environment", () => {
      // No default password in the file: unset, initdb generates one and prints it (docker compose logs initdb).
      expect(compose.services.initdb.environment?.DAGCTL_ADMIN_PASSWORD).toBe('${DAGCTL_ADMIN_PASSWORD:-}');
      for (const [id, service] of Object.entries(compose.services)) {
        if (id !== 'initdb') expect([id, service.environment?.DAGCTL_ADMIN_PASSWORD]).toEqual([id, undefined]);
        expect([id, service.command?.[0]]).not.toEqual([id, 'users']);
      }
    });

    it("the README's Compose steps log in with that admin and create no second one", () => {
      const readme = read('README.md');
      const start = readme.indexOf('### With Docker Compose');
      const section = readme.slice(start, readme.indexOf('\n#', start + 1));
      expect(start).toBeGreaterThan(0);
      expect(section).toContain('DAGCTL_ADMIN_PASSWORD');
      expect(section).toContain('docker compose logs initdb');
      expect(section).not.toMatch(/users create\b.*(-u|--username)[ =]admin\b/);
    });
  });

  describe('config/k8s', () => {
    const dir = path.join(repo, 'config', 'k8s');
    const docs = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((file) =>
        YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => ({
          file,
          doc: d.toJS() as Record<string, any>,
        })),
      );
    const byKind = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
    const containers = (doc: Record<string, any>) => doc.spec.template.spec.containers as Array<Record<string, any>>;

    it('parses, and everything but the Namespace lives in the dagctl namespace', () => {
      expect(byKind('Namespace').map((n) => n.metadata.name)).toEqual(['dagctl']);
      for (const { doc } of docs) if (doc.kind !== 'Namespace') expect(doc.metadata.namespace).toBe('dagctl');
    });

    it('runs schedulers ×2, workers and the web server as Deployments of the dagctl image with real commands', () => {
      const deployments: Record<string, Record<string, any>> = Object.fromEntries(
        byKind('Deployment').map((d) => [d.metadata.name, d]),
      );
      expect(Object.keys(deployments).sort()).toEqual(['dagctl-scheduler', 'dagctl-webserver', 'dagctl-worker']);
      expect(deployments['dagctl-scheduler'].spec.replicas).toBe(2);
      const job = byKind('Job')[0];
      for (const workload of [...Object.values(deployments), job]) {
        for (const container of containers(workload)) {
          expect(container.image).toBe('dagctl:latest');
          expect(container.command).toBeUndefined(); // the image's entrypoint is dagctl
          assertDagctlCommand(container.args);
        }
      }
      expect(containers(job)[0].args).toEqual(['initdb']);
      expect(containers(deployments['dagctl-worker'])[0].args[0]).toBe('worker');
      const service = byKind('Service')[0];
      expect(service.spec.selector).toEqual(deployments['dagctl-webserver'].spec.selector.matchLabels);
    });

    it('configures from a ConfigMap, keeps the database URL in a Secret, and keeps it from workers', () => {
      const config = byKind('ConfigMap')[0];
      expect(config.data.DAGCTL__CORE__EXECUTOR).toBe('bullmq');
      const secret = byKind('Secret')[0];
      expect(secret.stringData.DAGCTL__DATABASE__URL).toMatch(/^postgres:\/\//);
      const refs = (doc: Record<string, any>) =>
        containers(doc)[0].envFrom.map((e: Record<string, any>) => e.configMapRef?.name ?? e.secretRef?.name);
      const deployments: Record<string, Record<string, any>> = Object.fromEntries(
        byKind('Deployment').map((d) => [d.metadata.name, d]),
      );
      expect(refs(deployments['dagctl-scheduler'])).toEqual([config.metadata.name, secret.metadata.name]);
      expect(refs(deployments['dagctl-worker'])).toEqual([config.metadata.name]);
    });

    it('offers an optional KEDA scaler for the workers on queue depth', () => {
      const scaled = byKind('ScaledObject')[0];
      expect(scaled.spec.scaleTargetRef.name).toBe('dagctl-worker');
      expect(scaled.spec.triggers[0].metadata.query).toMatch(
        /FROM task_instance WHERE state IN \('queued', 'running'\)/,
      );
      expect(docs.find((d) => d.doc.kind === 'ScaledObject')?.file).toMatch(/keda/);
    });
  });
});
