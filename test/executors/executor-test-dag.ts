/** The DAG file every executor conformance test runs (written to a temporary dags folder). */
export const EXECUTOR_TEST_DAG = `
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { DAG, FunctionOperator, BashOperator } from 'dagctl';

const dag = new DAG('executor_conformance', { schedule: null });

new FunctionOperator({ taskId: 'ok', dag, fn: (ctx) => {
  ctx.log.info('running ok');
  return { pid: process.pid, value: ctx.dagRun.conf.value ?? null };
} });

new FunctionOperator({ taskId: 'fail', dag, fn: () => { throw new Error('planned failure'); } });

// Waits (up to conf.wait seconds) until conf.expect tries run at once; returns how many it saw.
new BashOperator({ taskId: 'peer', dag, bashCommand: [
  'dir="{{ dag_run.conf.dir }}"; me="$dir/{{ ti.task_id }}_{{ run_id }}"',
  'touch "$me"; n=0',
  'for i in $(seq 1 $(( {{ dag_run.conf.wait }} * 10 ))); do',
  '  n=$(ls "$dir" | wc -l); [ "$n" -ge {{ dag_run.conf.expect }} ] && break; sleep 0.1',
  'done',
  'n=$(ls "$dir" | wc -l); sleep 0.3; rm -f "$me"; echo "$n"',
].join('\\n') });

// Blocks its event loop for good, after starting a subprocess in its own process group.
new FunctionOperator({ taskId: 'spin', dag, fn: (ctx) => {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  writeFileSync(String(ctx.dagRun.conf.pidFile), String(child.pid));
  for (;;) { /* never yields */ }
} });

new FunctionOperator({ taskId: 'exit', dag, fn: () => { process.exit(3); } });
new FunctionOperator({ taskId: 'sigkill', dag, fn: () => { process.kill(process.pid, 'SIGKILL'); } });
// A bash task with a child of its own; the child's pid goes to conf.pidFile.
new BashOperator({ taskId: 'tree', dag, bashCommand: 'sleep 300 & echo $! > "{{ dag_run.conf.pidFile }}"; wait' });
new BashOperator({ taskId: 'sleep', dag, bashCommand: 'sleep {{ dag_run.conf.seconds }}; echo slept' });

export default dag;
`;
