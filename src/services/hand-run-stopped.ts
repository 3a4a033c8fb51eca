/**
 * Why a hand run (`dagctl tasks run`) aborted its try from outside its task, as the abort reason
 * given to runTask: a scheduler took the hand run for dead (its heartbeat thread fenced it), or the
 * process got SIGINT/SIGTERM. Its message is one line; `exitCode` is what the CLI exits with.
 */
export class HandRunStopped extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'HandRunStopped';
  }
}
