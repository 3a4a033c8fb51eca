import type { DataSource } from 'typeorm';

/**
 * Where `{{ var.value.x }}` / `{{ var.json.x }}` come from. Asked only when a template mentions
 * `var`; the local runner reads the metadata DB, a remote worker may supply them another way.
 */
export interface VariableSource {
  /** Every variable: key → raw string value. */
  getAll(): Promise<Record<string, string>>;
}

/** Variables read from the metadata database; the DataSource is opened on first use only. */
export class DatabaseVariableSource implements VariableSource {
  constructor(private readonly getDataSource: () => Promise<DataSource>) {}

  async getAll(): Promise<Record<string, string>> {
    const dataSource = await this.getDataSource();
    // Loaded on use: TypeORM costs task processes a second of start-up they rarely need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entities = require('../db/entities/variable.entity') as typeof import('../db/entities/variable.entity');
    const rows = await dataSource.getRepository(entities.VariableEntity).find({ select: { key: true, val: true } });
    const values: Record<string, string> = {};
    for (const row of rows) values[row.key] = row.val ?? '';
    return values;
  }
}

/** Fixed values (tests, `dagctl tasks test` with no DB, values shipped to a remote worker). */
export function staticVariableSource(values: Record<string, string>): VariableSource {
  return { getAll: async () => ({ ...values }) };
}
