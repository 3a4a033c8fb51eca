import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import type { LoadedConfig } from '../../config/load-config';
import { errorMessage } from '../../core/errors';
import { openDatabase, parseDatabaseUrl } from '../../db/data-source';
import { DatabaseVariableSource, VariableSource } from '../../runner/variable-source';

/**
 * Variables for `{{ var.value.x }}` on a worker — the one thing a worker reads from the metadata
 * DB, and only when a template uses `var` (documented exception: such workers need
 * `database.url`). Tasks without `var` templates never open a connection.
 */
export function workerVariableSource(config: LoadedConfig): VariableSource & { close(): Promise<void> } {
  let dataSource: Promise<DataSource> | null = null;
  const open = (): Promise<DataSource> => {
    const target = parseDatabaseUrl(config.database.url);
    if (target.kind === 'sqlite' && target.location !== ':memory:' && !fs.existsSync(target.location)) {
      return Promise.reject(
        new Error(
          `this worker has no metadata database (${target.location} does not exist): ` +
            'set database.url (DAGCTL__DATABASE__URL) on the worker',
        ),
      );
    }
    dataSource ??= openDatabase(config.database.url, { poolSize: 1 });
    dataSource.catch(() => {
      dataSource = null;
    });
    return dataSource;
  };
  const database = new DatabaseVariableSource(open);
  return {
    getVariable: (key) => database.getVariable(key),
    getConnection: (connId) => database.getConnection(connId),
    async getAll() {
      try {
        return await database.getAll();
      } catch (err) {
        throw new Error(`{{ var }} on a bullmq worker reads the metadata database: ${errorMessage(err)}`, {
          cause: err,
        });
      }
    },
    async close() {
      const ds = await dataSource?.catch(() => null);
      if (ds?.isInitialized) await ds.destroy();
    },
  };
}
