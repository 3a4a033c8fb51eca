import { UserError } from '../core/errors';

/** A DAG file could not be loaded; recorded as an import error. Message: "<file>: <reason>", one line. */
export class DagFileError extends UserError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DagFileError';
  }
}
