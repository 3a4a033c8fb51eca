/** An error whose message is meant for the user as-is: printed on one line, without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad input on the command line or in an API request (exit code 2, HTTP 400). */
export class InvalidArgumentError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'InvalidArgumentError';
  }
}

/**
 * The DAG already has a run with that id or logical date (found first, or created by another
 * process at the same moment): a caller that only wants the run to exist (backfill) takes it as done.
 */
export class DagRunExistsError extends InvalidArgumentError {
  constructor(message: string) {
    super(message);
    this.name = 'DagRunExistsError';
  }
}

export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'NotFoundError';
  }
}

/** A DAG definition problem: cycle, duplicate task id, unknown option… Names the DAG and task. */
export class DagDefinitionError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'DagDefinitionError';
  }
}

/**
 * The message of something thrown. Duck-typed: an Error from another realm (a DAG file evaluated
 * in a vm context) fails `instanceof Error` but still has its message.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string')
    return (err as { message: string }).message;
  return String(err);
}

/** The thing asked for exists but its state forbids the change (CLI exit 1, HTTP 409). */
export class StateConflictError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'StateConflictError';
  }
}
