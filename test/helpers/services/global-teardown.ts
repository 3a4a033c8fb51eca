import { stopServicesNow, takeStartedServices } from './started-services';

/** Jest global teardown: stop the private servers the setup started (never the shared ones). */
export default async function globalTeardown(): Promise<void> {
  process.removeListener('exit', stopServicesNow);
  const { postgres, redis } = takeStartedServices();
  await Promise.all([redis?.remove(), postgres?.stop()]);
}
