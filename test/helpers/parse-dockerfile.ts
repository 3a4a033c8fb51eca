/**
 * A Dockerfile read into stages and instructions, for tests that lay out and check an image
 * without a Docker engine. It reads the subset dagctl's Dockerfile uses and throws on anything
 * else (ADD, ARG, heredocs, shell-form ENTRYPOINT, unknown COPY flags), so a later change cannot be
 * silently misread: teach the parser instead.
 */

export type DockerInstruction =
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'COPY'; line: number; from?: string; chown?: string; sources: string[]; dest: string }
  | { kind: 'RUN'; line: number; command: string }
  | { kind: 'ENV'; line: number; vars: Record<string, string> }
  | { kind: 'USER'; line: number; user: string }
  | { kind: 'VOLUME'; line: number; paths: string[] }
  | { kind: 'ENTRYPOINT' | 'CMD'; line: number; args: string[] }
  | { kind: 'EXPOSE' | 'LABEL' | 'STOPSIGNAL'; line: number; text: string };

export interface DockerStage {
  /** The `AS` name, if any. */
  name?: string;
  image: string;
  instructions: DockerInstruction[];
}

/** One logical line per instruction: continuations joined, comments and blank lines dropped. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let current: { line: number; text: string } | null = null;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !current)) return; // comments, directives, blanks
    if (trimmed.startsWith('<<') || /<<-?\s*['"]?\w+['"]?\s*$/.test(trimmed))
      throw new Error(`Dockerfile line ${index + 1}: heredocs are not supported by this reader`);
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    current = current
      ? { line: current.line, text: `${current.text} ${part}`.trim() }
      : { line: index + 1, text: part };
    if (!continued) {
      out.push(current);
      current = null;
    }
  });
  if (current) throw new Error('Dockerfile ends inside a continued line');
  return out;
}

function jsonArray(text: string, line: number): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`Dockerfile line ${line}: expected a JSON array of strings, got ${text}`);
  return value;
}

function parseCopy(args: string, line: number): DockerInstruction {
  const words = args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [flag, value] = words.shift()!.slice(2).split('=', 2);
    if (flag !== 'from' && flag !== 'chown')
      throw new Error(`Dockerfile line ${line}: COPY --${flag} is not supported`);
    flags[flag] = value;
  }
  const rest = words.join(' ');
  const paths = rest.startsWith('[') ? jsonArray(rest, line) : words;
  if (paths.length < 2) throw new Error(`Dockerfile line ${line}: COPY needs a source and a destination`);
  if (paths.some((p) => /[*?[]/.test(p))) throw new Error(`Dockerfile line ${line}: COPY wildcards are not supported`);
  return { kind: 'COPY', line, from: flags.from, chown: flags.chown, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

function parseEnv(args: string, line: number): Record<string, string> {
  if (/["']/.test(args)) throw new Error(`Dockerfile line ${line}: quoted ENV values are not supported`);
  const words = args.split(/\s+/);
  if (!words[0].includes('=')) return { [words[0]]: words.slice(1).join(' ') }; // legacy `ENV KEY value`
  return Object.fromEntries(
    words.map((word) => {
      const at = word.indexOf('=');
      if (at <= 0) throw new Error(`Dockerfile line ${line}: expected KEY=VALUE, got '${word}'`);
      return [word.slice(0, at), word.slice(at + 1)];
    }),
  );
}

export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const { line, text: instruction } of logicalLines(text)) {
    const match = /^(\w+)\s+(.*)$/.exec(instruction);
    if (!match) throw new Error(`Dockerfile line ${line}: cannot read '${instruction}'`);
    const keyword = match[1].toUpperCase();
    const args = match[2].trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${line}: cannot read FROM ${args}`);
      stages.push({ image: from[1], name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${line}: ${keyword} before the first FROM`);
    const push = (i: DockerInstruction): number => stage.instructions.push(i);
    switch (keyword) {
      case 'WORKDIR':
        push({ kind: 'WORKDIR', line, path: args });
        break;
      case 'COPY':
        push(parseCopy(args, line));
        break;
      case 'RUN':
        if (args.startsWith('[')) throw new Error(`Dockerfile line ${line}: exec-form RUN is not supported`);
        push({ kind: 'RUN', line, command: args });
        break;
      case 'ENV':
        push({ kind: 'ENV', line, vars: parseEnv(args, line) });
        break;
      case 'USER':
        push({ kind: 'USER', line, user: args });
        break;
      case 'VOLUME':
        push({ kind: 'VOLUME', line, paths: args.startsWith('[') ? jsonArray(args, line) : args.split(/\s+/) });
        break;
      case 'ENTRYPOINT':
      case 'CMD':
        if (!args.startsWith('[')) throw new Error(`Dockerfile line ${line}: ${keyword} must be in exec form`);
        push({ kind: keyword, line, args: jsonArray(args, line) });
        break;
      case 'EXPOSE':
      case 'LABEL':
      case 'STOPSIGNAL':
        push({ kind: keyword, line, text: args });
        break;
      default:
        throw new Error(`Dockerfile line ${line}: ${keyword} is not supported by this reader`);
    }
  }
  return stages;
}
