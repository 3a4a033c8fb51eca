/**
 * The fault suite's workload: DAG files of bash and JS tasks that record every execution in a
 * side-effect file ($DAGCTL_HOME/effects.log), one space-separated line per event:
 *
 *   start   dag task run try pid ms kind    a try began (kind: bash or js)
 *   child   dag task run try pid ms         a bash try started a child process
 *   end     dag task run try pid ms         a try's code finished (by itself: success or error)
 *   overlap dag task run try pid ms other   a try began while `other`, a process of an earlier
 *                                           try of the same task instance, was still alive
 *
 * A try killed from outside writes no `end`. A JS try's process is a reused pool process, so its
 * pid staying alive after an `end` is fine; after a start without an end it is not.
 */

export interface WorkloadTask {
  taskId: string;
  kind: 'bash' | 'js';
  /** bash: shell commands run after `start` (default: a 2 s child sleep); js: statements, may await. */
  body?: string;
  /** Extra operator options as source text, e.g. `executionTimeout: '2s'`. */
  options?: string;
  retries?: number;
}

export const EFFECTS_FILE_NAME = 'effects.log';

/** Is a process alive (a zombie, which PID 1 here may never reap, is not). */
const ALIVE_BASH =
  'alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! sed "s/.*) //" "/proc/$1/stat" | grep -q "^Z"; }';

/** The bash prologue: look for live processes of earlier tries, then record the start. */
const BASH_START = [
  'E="$EFFECTS"; K="$DAGCTL_CTX_DAG_ID $DAGCTL_CTX_TASK_ID $DAGCTL_CTX_RUN_ID"; T="$DAGCTL_CTX_TRY_NUMBER"',
  ALIVE_BASH,
  'now() { date +%s%3N; }',
  'grep -E "^(start|child) $K " "$E" 2>/dev/null | while read -r phase _ _ _ t p _; do',
  '  [ "$t" = "$T" ] && continue',
  '  if [ "$phase" = start ] && grep -q "^end $K $t " "$E"; then continue; fi',
  '  if alive "$p"; then echo "overlap $K $T $$ $(now) $p" >> "$E"; fi',
  'done',
  'echo "start $K $T $$ $(now) bash" >> "$E"',
].join('\n');

const BASH_DEFAULT_BODY = 'sleep 2 & echo "child $K $T $! $(now)" >> "$E"; wait';

function bashCommand(body: string): string {
  return [BASH_START, body, 'echo "end $K $T $$ $(now)" >> "$E"'].join('\n');
}

/** What every workload DAG file starts with: the JS side of the recording. */
const JS_PRELUDE = `
import { appendFileSync, readFileSync } from 'node:fs';
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const EFFECTS = process.env.DAGCTL_HOME + '/${EFFECTS_FILE_NAME}';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function alive(pid) {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
function record(ctx, phase, extra) {
  const line = [phase, ctx.dagId, ctx.taskId, ctx.runId, ctx.tryNumber, process.pid, Date.now(), ...extra].join(' ');
  appendFileSync(EFFECTS, line + '\\n');
}
function recordStart(ctx) {
  let text = '';
  try { text = readFileSync(EFFECTS, 'utf8'); } catch {}
  const mine = text.split('\\n').map((l) => l.split(' '))
    .filter((l) => l[1] === ctx.dagId && l[2] === ctx.taskId && l[3] === ctx.runId && l[4] !== String(ctx.tryNumber));
  const ended = new Set(mine.filter((l) => l[0] === 'end').map((l) => l[4]));
  for (const l of mine) {
    const earlier = l[0] === 'child' || (l[0] === 'start' && !ended.has(l[4]));
    if (earlier && Number(l[5]) !== process.pid && alive(Number(l[5]))) record(ctx, 'overlap', [l[5]]);
  }
  record(ctx, 'start', ['js']);
}
`;

function taskSource(task: WorkloadTask): string {
  const id = JSON.stringify(task.taskId);
  const common = `taskId: ${id}, retries: ${task.retries ?? 2}, retryDelay: 0, dag, ${task.options ?? ''}`;
  if (task.kind === 'bash') {
    const command = bashCommand(task.body ?? BASH_DEFAULT_BODY);
    return `new BashOperator({ ${common} bashCommand: ${JSON.stringify(command)}, env: { EFFECTS } });`;
  }
  const body = task.body ?? 'await sleep(1500);';
  return `new FunctionOperator({ ${common} fn: async (ctx) => {
  recordStart(ctx);
  try {
    ${body}
  } finally {
    record(ctx, 'end', []);
  }
} });`;
}

/** A DAG file (no schedule: the test triggers its runs) of independent tasks. */
export function workloadDag(dagId: string, tasks: WorkloadTask[], dagOptions = ''): string {
  return `${JS_PRELUDE}
const dag = new DAG(${JSON.stringify(dagId)}, {
  schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveTasks: 32, maxActiveRuns: 8, ${dagOptions}
});
${tasks.map(taskSource).join('\n')}
export default dag;
`;
}

/** The plain workload: `width` bash and `width` JS tasks, each a couple of seconds long. */
export function plainTasks(width: number): WorkloadTask[] {
  return Array.from({ length: width }, (_, i): WorkloadTask[] => [
    { taskId: `bash_${i}`, kind: 'bash' },
    { taskId: `js_${i}`, kind: 'js' },
  ]).flat();
}
