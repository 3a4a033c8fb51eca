import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { TaskState } from '../core/states';
import { DEFAULT_POOL, PoolEntity, TaskInstanceEntity } from '../db/entities';
import { AlreadyExistsError } from './already-exists-error';
import { auditChange } from './audit-log';
import type { ServiceContext } from './service-context';

export interface PoolRecord {
  name: string;
  slots: number;
  description: string | null;
  /** Slots taken by queued and running task instances. */
  occupiedSlots: number;
  runningSlots: number;
  queuedSlots: number;
  openSlots: number;
}

function assertPool(name: string, slots?: number): void {
  if (!name || name.length > 256)
    throw new InvalidArgumentError(`invalid pool name '${name}': expected 1 to 256 characters`);
  if (slots !== undefined && !(Number.isInteger(slots) && slots >= 0)) {
    throw new InvalidArgumentError(`invalid pool slots '${slots}': expected a non-negative integer`);
  }
}

async function usage(ctx: ServiceContext, names?: string[]): Promise<Map<string, { running: number; queued: number }>> {
  const query = ctx.dataSource
    .getRepository(TaskInstanceEntity)
    .createQueryBuilder('ti')
    .select('ti.pool', 'pool')
    .addSelect('ti.state', 'state')
    .addSelect('SUM(ti.pool_slots)', 'slots')
    .where('ti.state IN (:...states)', { states: [TaskState.RUNNING, TaskState.QUEUED] })
    .groupBy('ti.pool')
    .addGroupBy('ti.state');
  if (names) query.andWhere('ti.pool IN (:...names)', { names });
  const out = new Map<string, { running: number; queued: number }>();
  for (const row of await query.getRawMany<{ pool: string; state: string; slots: string | number }>()) {
    const entry = out.get(row.pool) ?? { running: 0, queued: 0 };
    if (row.state === TaskState.RUNNING) entry.running += Number(row.slots);
    else entry.queued += Number(row.slots);
    out.set(row.pool, entry);
  }
  return out;
}

function toRecord(row: PoolEntity, used: { running: number; queued: number } | undefined): PoolRecord {
  const running = used?.running ?? 0;
  const queued = used?.queued ?? 0;
  return {
    name: row.pool,
    slots: row.slots,
    description: row.description,
    occupiedSlots: running + queued,
    runningSlots: running,
    queuedSlots: queued,
    openSlots: row.slots - running - queued,
  };
}

/** Create or update a pool (Airflow's `pools set`). */
export async function setPool(
  ctx: ServiceContext,
  input: { name: string; slots: number; description?: string | null },
): Promise<PoolRecord> {
  assertPool(input.name, input.slots);
  const repo = ctx.dataSource.getRepository(PoolEntity);
  const existing = await repo.findOneBy({ pool: input.name });
  if (existing) {
    await repo.update(
      { id: existing.id },
      { slots: input.slots, description: input.description === undefined ? existing.description : input.description },
    );
  } else {
    await repo.insert({ pool: input.name, slots: input.slots, description: input.description ?? null });
  }
  await auditChange(ctx, {
    event: existing ? 'pool_edit' : 'pool_create',
    extra: { name: input.name, slots: input.slots, description: input.description ?? null },
  });
  return getPool(ctx, input.name);
}

/**
 * Give a pool a new name (the API's PATCH with `name`), like Airflow: only the pool row changes;
 * tasks keep naming the pool they were declared with.
 */
export async function renamePool(ctx: ServiceContext, from: string, to: string): Promise<void> {
  if (from === DEFAULT_POOL) throw new InvalidArgumentError(`${DEFAULT_POOL} cannot be renamed`);
  await getPool(ctx, from);
  assertPool(to);
  const repo = ctx.dataSource.getRepository(PoolEntity);
  if (await repo.existsBy({ pool: to })) throw new AlreadyExistsError(`pool '${to}' already exists`);
  await repo.update({ pool: from }, { pool: to });
  await auditChange(ctx, { event: 'pool_rename', extra: { name: from, new_name: to } });
}

export async function getPool(ctx: ServiceContext, name: string): Promise<PoolRecord> {
  const row = await ctx.dataSource.getRepository(PoolEntity).findOneBy({ pool: name });
  if (!row) throw new NotFoundError(`pool '${name}' not found`);
  return toRecord(row, (await usage(ctx, [name])).get(name));
}

/** Delete a pool; default_pool is where tasks without a pool go, so it cannot be deleted. */
export async function deletePool(ctx: ServiceContext, name: string): Promise<void> {
  if (name === DEFAULT_POOL) throw new InvalidArgumentError(`${DEFAULT_POOL} cannot be deleted`);
  const result = await ctx.dataSource.getRepository(PoolEntity).delete({ pool: name });
  if (!result.affected) throw new NotFoundError(`pool '${name}' not found`);
  await auditChange(ctx, { event: 'pool_delete', extra: { name } });
}

export async function listPools(
  ctx: ServiceContext,
  options: { limit?: number; offset?: number } = {},
): Promise<PoolRecord[]> {
  const rows = await ctx.dataSource
    .getRepository(PoolEntity)
    .find({ order: { pool: 'ASC' }, take: options.limit, skip: options.offset });
  const used = await usage(ctx);
  return rows.map((row) => toRecord(row, used.get(row.pool)));
}

export async function countPools(ctx: ServiceContext): Promise<number> {
  return ctx.dataSource.getRepository(PoolEntity).count();
}

/** Make sure default_pool exists (initdb); leaves an existing one as configured. */
export async function ensureDefaultPool(ctx: Pick<ServiceContext, 'dataSource'>, slots = 128): Promise<boolean> {
  const repo = ctx.dataSource.getRepository(PoolEntity);
  if (await repo.existsBy({ pool: DEFAULT_POOL })) return false;
  await repo
    .createQueryBuilder()
    .insert()
    .values({ pool: DEFAULT_POOL, slots, description: 'Default pool' })
    .orIgnore()
    .execute();
  return true;
}
