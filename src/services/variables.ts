import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { VariableEntity } from '../db/entities';
import { auditChange } from './audit-log';
import type { ServiceContext } from './service-context';
import { runInTransaction } from '../db/transaction';

/** Variables are stored as text, like Airflow's; JSON values are stored serialized. */
export interface VariableRecord {
  key: string;
  value: string | null;
  description: string | null;
}

function toRecord(row: VariableEntity): VariableRecord {
  return { key: row.key, value: row.val, description: row.description };
}

function assertKey(key: string): void {
  if (!key || key.length > 250)
    throw new InvalidArgumentError(`invalid variable key '${key}': expected 1 to 250 characters`);
}

export async function getVariable(ctx: ServiceContext, key: string): Promise<VariableRecord> {
  const row = await ctx.dataSource.getRepository(VariableEntity).findOneBy({ key });
  if (!row) throw new NotFoundError(`variable '${key}' not found`);
  return toRecord(row);
}

/** The variable's value parsed as JSON (what `variables get -j` and `{{ var.json.x }}` see). */
export function parseVariableJson(record: VariableRecord): unknown {
  try {
    return JSON.parse(record.value ?? 'null');
  } catch {
    throw new InvalidArgumentError(`variable '${record.key}' does not hold valid JSON`);
  }
}

/** Create or replace a variable. Non-string values are stored as JSON text. */
export async function setVariable(
  ctx: ServiceContext,
  key: string,
  value: unknown,
  description?: string | null,
): Promise<VariableRecord> {
  assertKey(key);
  const val = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  const repo = ctx.dataSource.getRepository(VariableEntity);
  const existing = await repo.findOneBy({ key });
  if (existing) {
    await repo.update(
      { id: existing.id },
      { val, description: description === undefined ? existing.description : description },
    );
  } else {
    await repo.insert({ key, val, description: description ?? null });
  }
  await auditChange(ctx, { event: existing ? 'variable_edit' : 'variable_create', extra: { key }, secrets: [val] });
  return getVariable(ctx, key);
}

export async function deleteVariable(ctx: ServiceContext, key: string): Promise<void> {
  const result = await ctx.dataSource.getRepository(VariableEntity).delete({ key });
  if (!result.affected) throw new NotFoundError(`variable '${key}' not found`);
  await auditChange(ctx, { event: 'variable_delete', extra: { key } });
}

export async function listVariables(
  ctx: ServiceContext,
  options: { limit?: number; offset?: number } = {},
): Promise<VariableRecord[]> {
  const rows = await ctx.dataSource
    .getRepository(VariableEntity)
    .find({ order: { key: 'ASC' }, take: options.limit, skip: options.offset });
  return rows.map(toRecord);
}

export async function countVariables(ctx: ServiceContext): Promise<number> {
  return ctx.dataSource.getRepository(VariableEntity).count();
}

/**
 * Import `{ key: value }` (the format `variables export` writes). Values that are not strings are
 * stored as JSON. All or nothing: one transaction.
 */
export async function importVariables(
  ctx: ServiceContext,
  values: unknown,
): Promise<{ created: number; updated: number }> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new InvalidArgumentError('variables file must hold a JSON object of key → value');
  }
  const entries = Object.entries(values as Record<string, unknown>);
  entries.forEach(([key]) => assertKey(key));
  return runInTransaction(ctx.dataSource, async (tx) => {
    const repo = tx.getRepository(VariableEntity);
    let created = 0;
    let updated = 0;
    for (const [key, value] of entries) {
      const val = typeof value === 'string' ? value : JSON.stringify(value);
      const existing = await repo.findOneBy({ key });
      if (existing) {
        await repo.update({ id: existing.id }, { val });
        updated += 1;
      } else {
        await repo.insert({ key, val, description: null });
        created += 1;
      }
    }
    return { created, updated };
  });
}

/** Every variable as `{ key: value }`; values holding JSON come out parsed, as Airflow exports them. */
export async function exportVariables(ctx: ServiceContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const record of await listVariables(ctx)) {
    try {
      out[record.key] = JSON.parse(record.value ?? 'null');
    } catch {
      out[record.key] = record.value;
    }
  }
  return out;
}
