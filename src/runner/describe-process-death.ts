/** V8's last words when the JavaScript heap is exhausted. */
const HEAP_OOM = /heap out of memory|Allocation failed/i;

/**
 * How a task process died, for the task log and the try's end reason ("task process 42 …"). An
 * out-of-memory death says so: V8 aborts (SIGABRT, or exit code 134 through a shell) after printing
 * "heap out of memory"; the kernel's OOM killer sends a SIGKILL that dagctl did not send.
 */
export function describeProcessDeath(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  if ((signal === 'SIGABRT' || code === 134) && HEAP_OOM.test(stderrTail))
    return `ran out of memory (JavaScript heap out of memory; ${signal ? `killed by ${signal}` : `exit code ${code}`})`;
  if (HEAP_OOM.test(stderrTail)) return `ran out of memory (JavaScript heap out of memory)`;
  if (signal === 'SIGKILL')
    return 'was killed by SIGKILL, not sent by dagctl: most likely out of memory (the kernel OOM killer)';
  return signal ? `was killed by ${signal}` : `exited unexpectedly with code ${code}`;
}
