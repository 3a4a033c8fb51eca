import type { Request, Router } from 'express';
import { InvalidArgumentError } from '../../../../core/errors';
import { DEFAULT_POOL } from '../../../../db/entities';
import { deletePool, getPool, setPool } from '../../../../services/pools';
import { field, parseSlots } from '../../data/admin-forms';
import { listPoolRows } from '../../data/admin-data';
import type { UiRouteContext } from '../../ui-route-context';
import { allow, body, csrfProtected, noticeOf, page } from '../route-helpers';
import { actingAs, confirmDeletion, registerSaveRoute } from './admin-route-helpers';

const LIST = '/admin/pools';

/**
 * Pools: every user sees them with their usage (as the API's GET /pools); op and admin create,
 * edit and delete them (default_pool cannot be deleted).
 */
export function registerPoolAdminRoutes(router: Router, c: UiRouteContext): void {
  const can = (action: string) => ({ action, resource: 'Pools' });
  const edit = allow(c, can('can_edit'));
  const write = [...edit, ...csrfProtected(c)];
  const remove = [...allow(c, can('can_delete')), ...csrfProtected(c)];
  const formData = (req: Request, values: { name: string; slots: string; description: string }, isNew: boolean) => ({
    tab: 'pools',
    isNew,
    ...values,
    notice: noticeOf(req),
  });

  router.get(
    LIST,
    ...allow(c, can('can_read')),
    page(c, async (req, res) => {
      c.render(req, res, 'pools.njk', {
        pools: await listPoolRows(c.ctx.dataSource),
        defaultPool: DEFAULT_POOL,
        notice: noticeOf(req),
      });
    }),
  );
  router.get(
    `${LIST}/new`,
    ...edit,
    page(c, async (req, res) => {
      c.render(req, res, 'pool-form.njk', formData(req, { name: '', slots: '128', description: '' }, true));
    }),
  );
  router.get(
    `${LIST}/edit`,
    ...edit,
    page(c, async (req, res) => {
      const pool = await getPool(c.ctx, typeof req.query.pool === 'string' ? req.query.pool : '');
      const values = { name: pool.name, slots: String(pool.slots), description: pool.description ?? '' };
      c.render(req, res, 'pool-form.njk', formData(req, values, false));
    }),
  );
  registerSaveRoute(router, c, write, {
    list: LIST,
    noun: 'pool',
    template: 'pool-form.njk',
    idField: 'name',
    read: (posted, name) => ({ name, slots: field(posted, 'slots'), description: field(posted, 'description') }),
    formData,
    save: async (req, values, isNew) => {
      if (!values.name) throw new InvalidArgumentError('pool name must not be empty');
      const slots = parseSlots(values.slots);
      const exists = await getPool(c.ctx, values.name).then(
        () => true,
        () => false,
      );
      if (isNew && exists) throw new InvalidArgumentError(`pool '${values.name}' already exists: edit it instead`);
      if (!isNew && !exists) throw new InvalidArgumentError(`pool '${values.name}' no longer exists`);
      await setPool(actingAs(c, req), { name: values.name, slots, description: values.description || null });
    },
  });
  router.post(
    `${LIST}/delete`,
    ...remove,
    page(c, async (req, res) => {
      const name = field(body(req), 'name');
      if (name === DEFAULT_POOL) throw new InvalidArgumentError(`${DEFAULT_POOL} cannot be deleted`);
      const pool = await getPool(c.ctx, name);
      await confirmDeletion(
        c,
        req,
        res,
        {
          noun: 'pool',
          list: LIST,
          message:
            `Delete pool '${name}'?` +
            (pool.occupiedSlots > 0 ? ` ${pool.occupiedSlots} slot(s) are in use by running or queued tasks.` : '') +
            ' Tasks that name it wait until a pool of that name exists again.',
        },
        async () => {
          await deletePool(actingAs(c, req), name);
        },
      );
    }),
  );
}
