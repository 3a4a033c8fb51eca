import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DockerInstruction, DockerStage } from './parse-dockerfile';

/**
 * One Dockerfile stage laid out on this machine, without a Docker engine: a host folder stands for
 * the stage's filesystem root and holds exactly what its COPY lines name (from the build context,
 * minus .dockerignore, or from an earlier stage's layout). RUN steps are carried out where they
 * can be (`npm` runs for real in the laid-out WORKDIR; mkdir, chown, ln -s, chmod act on the
 * layout) or recorded (apt-get packages, users); any other command fails, so no step is skipped
 * unseen. Ownership is tracked, not applied, so checks can ask who owns a path.
 */
export interface StageLayout {
  stage: DockerStage;
  /** Host folder standing for the stage's `/`. */
  root: string;
  /** The stage's WORKDIR, ENV, USER, users, apt packages, ENTRYPOINT and CMD as the Dockerfile leaves them. */
  workdir: string;
  env: Record<string, string>;
  user: string;
  users: Set<string>;
  packages: Set<string>;
  entrypoint: string[];
  cmd: string[];
  /** Each VOLUME path with its owner at the VOLUME line (later changes to it are discarded by Docker). */
  volumes: Array<{ path: string; owner: string | null }>;
  hostPath(containerPath: string): string;
  ownerOf(containerPath: string): string;
}

export interface LayOutOptions {
  /** The build context (the repository). */
  context: string;
  /** An empty host folder for this stage's root. */
  root: string;
  /** Earlier stages' layouts, by name, for COPY --from. */
  earlier: Map<string, StageLayout>;
}

/** Environment a step runs with: this machine's, minus what a test run or npm adds, plus the stage's ENV. */
export function stepEnv(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.entries(process.env).filter(
    ([key]) => !/^(npm_|DAGCTL|JEST_)/i.test(key) && !['NODE_ENV', 'INIT_CWD', 'NODE_OPTIONS'].includes(key),
  );
  return { ...Object.fromEntries(base), ...stageEnv };
}

/** Patterns of a .dockerignore as a test of a context-relative path (or any of its parent folders). */
function dockerIgnore(context: string): (relative: string) => boolean {
  const file = path.join(context, '.dockerignore');
  const patterns = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const regexes = patterns.map((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exceptions ('${pattern}') are not supported`);
    const source = path.posix
      .normalize(pattern.replace(/^\/+/, ''))
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*\*\/?/g, '\0')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\0/g, '.*');
    return new RegExp(`^${source}$`);
  });
  return (relative) => {
    const parts = relative.split('/');
    return parts.some((_, i) => regexes.some((re) => re.test(parts.slice(0, i + 1).join('/'))));
  };
}

/**
 * Docker's COPY: a folder's contents go into the destination; a file goes into it when it ends
 * with '/' or there are several sources, else becomes it. Returns the container paths written.
 */
function copyInto(
  sources: Array<{ name: string; host: string }>,
  dest: string,
  hostPath: (p: string) => string,
  skip: (host: string) => boolean,
): string[] {
  const intoFolder = dest.endsWith('/') || sources.length > 1;
  return sources.map((source) => {
    if (!fs.existsSync(source.host)) throw new Error(`COPY source ${source.name} does not exist`);
    const isFolder = fs.lstatSync(source.host).isDirectory();
    const target = intoFolder && !isFolder ? path.posix.join(dest, path.basename(source.name)) : dest;
    fs.mkdirSync(isFolder ? hostPath(target) : path.dirname(hostPath(target)), { recursive: true });
    // Symlinks stay as they are (node_modules/.bin links are relative): resolving them would point
    // into the source layout and hide a missing file.
    fs.cpSync(source.host, hostPath(target), { recursive: true, verbatimSymlinks: true, filter: (p) => !skip(p) });
    return path.posix.resolve('/', target);
  });
}

/** The `&&`-joined simple commands of a RUN line; anything more shell-like is refused. */
function simpleCommands(command: string, line: number): string[][] {
  if (/;|\|\||\||\$\(|`|["']/.test(command))
    throw new Error(`Dockerfile line ${line}: RUN '${command}' uses shell syntax the layout test does not read`);
  return command.split('&&').map((c) => c.trim().split(/\s+/));
}

function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv, line: number): void {
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(
      `Dockerfile line ${line}: 'npm ${args.join(' ')}' exited ${result.status ?? result.signal} in the layout:\n` +
        `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n'),
    );
}

export function layOutStage(stage: DockerStage, options: LayOutOptions): StageLayout {
  const ignored = dockerIgnore(options.context);
  const hostPath = (p: string): string => path.join(options.root, path.posix.resolve('/', p));
  const owners = new Map<string, string>();
  const layout: StageLayout = {
    stage,
    root: options.root,
    workdir: '/',
    env: {},
    user: 'root',
    users: new Set(['root']),
    packages: new Set(),
    entrypoint: [],
    cmd: [],
    volumes: [],
    hostPath,
    ownerOf(containerPath) {
      for (let p = path.posix.resolve('/', containerPath); ; p = path.posix.dirname(p)) {
        const owner = owners.get(p);
        if (owner) return owner;
        if (p === '/') return 'root';
      }
    },
  };
  const inWorkdir = (p: string): string => path.posix.resolve(layout.workdir, p);
  const mustExist = (p: string, line: number, why: string): void => {
    if (!fs.existsSync(hostPath(p)))
      throw new Error(`Dockerfile line ${line}: ${why} ${p}, which is not in the layout`);
  };
  const userOf = (owner: string, line: number): string => {
    const user = owner.split(':')[0];
    if (!layout.users.has(user))
      throw new Error(`Dockerfile line ${line}: user '${user}' is not created in this stage`);
    return user;
  };

  const run = (words: string[], line: number): void => {
    const [program, ...args] = words;
    const flags = new Set(args.filter((a) => a.startsWith('-')));
    const operands = args.filter((a) => !a.startsWith('-'));
    switch (program) {
      case 'apt-get': // system packages: this machine provides them (python3, make, g++, bash)
        if (args.includes('install')) operands.slice(1).forEach((p) => layout.packages.add(p));
        return;
      case 'rm':
        if (args.join(' ') !== '-rf /var/lib/apt/lists/*') break;
        return;
      case 'groupadd':
        return;
      case 'useradd': {
        const value = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
        const name = args.at(-1)!;
        layout.users.add(name);
        const home = value('--home-dir');
        if (home && flags.has('--create-home')) {
          fs.mkdirSync(hostPath(home), { recursive: true });
          owners.set(home, name);
        }
        return;
      }
      case 'npm':
        runNpm(args, hostPath(layout.workdir), stepEnv(layout.env), line);
        return;
      case 'mkdir':
        for (const p of operands.map(inWorkdir)) {
          for (let q = p; !fs.existsSync(hostPath(q)); q = path.posix.dirname(q)) owners.set(q, layout.user);
          fs.mkdirSync(hostPath(p), { recursive: true });
        }
        return;
      case 'chown': {
        const [owner, ...paths] = operands;
        const user = userOf(owner, line);
        for (const p of paths.map(inWorkdir)) {
          mustExist(p, line, 'chown of');
          owners.set(p, user);
        }
        return;
      }
      case 'ln': {
        if (!flags.has('-s') || operands.length !== 2) break;
        const [target, link] = operands.map(inWorkdir);
        mustExist(target, line, 'a link to');
        fs.mkdirSync(path.dirname(hostPath(link)), { recursive: true });
        fs.symlinkSync(hostPath(target), hostPath(link));
        return;
      }
      case 'chmod':
        if (args[0] !== '+x') break;
        for (const p of args.slice(1).map(inWorkdir)) {
          mustExist(p, line, 'chmod of');
          fs.chmodSync(hostPath(p), fs.statSync(hostPath(p)).mode | 0o111);
        }
        return;
    }
    throw new Error(`Dockerfile line ${line}: the image-layout test does not know the step '${words.join(' ')}'`);
  };

  const apply = (i: DockerInstruction): void => {
    switch (i.kind) {
      case 'WORKDIR':
        layout.workdir = inWorkdir(i.path);
        fs.mkdirSync(hostPath(layout.workdir), { recursive: true });
        return;
      case 'COPY': {
        const dest = i.dest.endsWith('/') ? `${inWorkdir(i.dest)}/` : inWorkdir(i.dest);
        const owner = i.chown ? userOf(i.chown, i.line) : 'root';
        let written: string[];
        if (i.from) {
          const from = options.earlier.get(i.from);
          if (!from) throw new Error(`Dockerfile line ${i.line}: COPY --from=${i.from} names no earlier stage`);
          const sources = i.sources.map((s) => ({ name: `${i.from}:${s}`, host: from.hostPath(s) }));
          written = copyInto(sources, dest, hostPath, () => false);
        } else {
          const relative = (host: string): string => path.relative(options.context, host).split(path.sep).join('/');
          const sources = i.sources.map((s) => ({ name: s, host: path.join(options.context, s) }));
          for (const s of sources)
            if (relative(s.host).startsWith('..') || ignored(relative(s.host)))
              throw new Error(
                `Dockerfile line ${i.line}: COPY ${s.name} is outside the build context or .dockerignore'd`,
              );
          written = copyInto(sources, dest, hostPath, (host) => ignored(relative(host)));
        }
        written.forEach((p) => owners.set(p, owner));
        return;
      }
      case 'RUN':
        for (const words of simpleCommands(i.command, i.line)) run(words, i.line);
        return;
      case 'ENV':
        Object.assign(layout.env, i.vars);
        return;
      case 'USER':
        layout.user = userOf(i.user, i.line);
        return;
      case 'VOLUME':
        for (const p of i.paths.map(inWorkdir))
          layout.volumes.push({ path: p, owner: fs.existsSync(hostPath(p)) ? layout.ownerOf(p) : null });
        return;
      case 'ENTRYPOINT':
        layout.entrypoint = i.args;
        layout.cmd = []; // as Docker does: a new ENTRYPOINT resets CMD from the base
        return;
      case 'CMD':
        layout.cmd = i.args;
        return;
      default:
        return; // EXPOSE, LABEL, STOPSIGNAL: nothing to lay out
    }
  };

  fs.mkdirSync(options.root, { recursive: true });
  stage.instructions.forEach(apply);
  return layout;
}
