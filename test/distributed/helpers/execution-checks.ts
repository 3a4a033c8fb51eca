/** (run, task, try) seen more than once in the executions recorded by the tasks: must be empty. */
export function duplicateTries(executions: Array<{ run: string; task: string; tryNumber: number }>): string[] {
  const seen = new Map<string, number>();
  for (const e of executions) {
    const id = `${e.run}/${e.task}#${e.tryNumber}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ran ${n} times`);
}
