import { UserError } from '../core/errors';

/** The thing asked for exists but its state forbids the change (CLI exit 1, HTTP 409). */
export class StateConflictError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'StateConflictError';
  }
}
