// The error lives in core (the db transitions throw it too); re-exported for the services that import it here.
export { StateConflictError } from '../core/errors';
