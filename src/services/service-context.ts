import type { DataSource } from 'typeorm';
import type { LoadedConfig } from '../config/load-config';
import type { Clock } from '../core/clock';

/**
 * What a service needs: the metadata DB and the clock. An AppContext satisfies it, so the CLI
 * and the web server pass theirs as is; tests pass a FakeClock.
 */
export interface ServiceContext {
  dataSource: DataSource;
  clock: Clock;
  /** Where XComs live (`core.xcom_backend`); absent: only in the database, nothing to purge elsewhere. */
  config?: Pick<LoadedConfig, 'core'>;
  /**
   * Who asks, for the audit log: `cli:<os user>` from the CLI, the authenticated user's name from
   * the API and the UI. Absent: the change is logged without an owner.
   */
  actor?: string;
}
