import { getLogger } from '../logging/logger';
import type { XComScope } from '../runner/xcom/xcom-backend';
import { xcomSettingsFromConfig } from '../runner/xcom/xcom-settings';
import type { ServiceContext } from './service-context';

const log = getLogger('xcom');

/**
 * After the xcom rows of these scopes were deleted (and committed), drop what the XCom backend
 * keeps elsewhere for them (the filesystem backend's files). A failure is logged, not thrown: the
 * database change stands, and the leftover files are unreachable, not wrong.
 */
export function purgeXComFiles(ctx: ServiceContext, scopes: XComScope[]): void {
  if (!ctx.config || scopes.length === 0) return;
  const { backend } = xcomSettingsFromConfig(ctx.config);
  for (const scope of scopes) {
    try {
      backend.purge(scope);
    } catch (err) {
      log.error(`cannot purge the XCom files of ${JSON.stringify(scope)}`, { err });
    }
  }
}
