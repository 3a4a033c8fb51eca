import { ApiTestApp, createApiTestApp } from './api-test-app';
import { OpenApiResponseValidator, validatorFromServedDocument } from './openapi-validator';
import { seedExample } from './seed-example';

export interface ExampleApi {
  t: ApiTestApp;
  /** Validates responses against the OpenAPI document the app serves. */
  validator: OpenApiResponseValidator;
}

/** The API test app on `kind` seeded with the example DAGs, runs and logs (`seedExample`). */
export async function createExampleApi(
  kind: ApiTestApp['kind'],
  options?: Parameters<typeof createApiTestApp>[1],
): Promise<ExampleApi> {
  const t = await createApiTestApp(kind, options);
  try {
    await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
    return { t, validator: await validatorFromServedDocument(t.app, t.basic('viewer')) };
  } catch (err) {
    // The caller never gets `t` to close.
    await t.close();
    throw err;
  }
}
