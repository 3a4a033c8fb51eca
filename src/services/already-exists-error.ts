import { UserError } from '../core/errors';

/** Creating something whose name is taken (CLI exit 1, HTTP 409). */
export class AlreadyExistsError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'AlreadyExistsError';
  }
}
