import type { PrivatePostgres } from './private-postgres';
import type { PrivateRedis } from './private-redis';

/** The private servers the global setup started (none when the shared ones answered). */
export interface StartedServices {
  postgres: PrivatePostgres | null;
  redis: PrivateRedis | null;
}

// Setup and teardown are loaded separately by jest but run in the same process: share through globalThis.
const KEY = Symbol.for('dagctl.test.startedServices');
type WithServices = typeof globalThis & { [KEY]?: StartedServices };

export function setStartedServices(services: StartedServices): void {
  (globalThis as WithServices)[KEY] = services;
}

export function takeStartedServices(): StartedServices {
  const services = (globalThis as WithServices)[KEY] ?? { postgres: null, redis: null };
  delete (globalThis as WithServices)[KEY];
  return services;
}

/** Exit handler: if jest ends without its global teardown, stop the private servers anyway. */
export function stopServicesNow(): void {
  const { postgres, redis } = takeStartedServices();
  redis?.killNow();
  postgres?.stopNow();
}
