import request from 'supertest';
import { FakeClock } from '../../../src/core/clock';
import { present } from '../../helpers/eventually';
import { ApiTestApp, createApiTestApp } from './api-test-app';
import { seedExample } from './seed-example';

/** What the /metrics tests of the enclosing file or describe use; valid inside tests. */
export interface MetricsApi {
  readonly t: ApiTestApp;
  /** The app's clock, at 2026-01-03T00:30:00Z until a test advances it. */
  readonly clock: FakeClock;
  /** The /metrics text as a viewer sees it (answered 200). */
  scrape(): Promise<string>;
}

/**
 * The API test app on sqlite with the example seeded (`seedExample`) and a fake clock, opened
 * before the tests of the enclosing file or describe and closed after them.
 */
export function metricsApi(): MetricsApi {
  const clock = new FakeClock('2026-01-03T00:30:00Z');
  let app: ApiTestApp | undefined;

  beforeAll(async () => {
    app = await createApiTestApp('sqlite', { clock });
    await seedExample(app.ds, app.ctx.config.logging.base_log_folder);
  });
  afterAll(async () => app?.close());

  const api: MetricsApi = {
    get t() {
      return present(app, 'metricsApi: the app (open only inside tests)');
    },
    clock,
    scrape: async () =>
      (await request(api.t.app).get('/metrics').set('Authorization', api.t.basic('viewer')).expect(200)).text,
  };
  return api;
}
