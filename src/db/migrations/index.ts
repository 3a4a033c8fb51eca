import { InitialSchema1700000000001 } from './1700000000001-initial-schema';

/** Every migration, oldest first. Each runs in its own transaction. */
export const ALL_MIGRATIONS = [InitialSchema1700000000001];
