import type { Request, Router } from 'express';
import { InvalidArgumentError } from '../../../../core/errors';
import { maskSensitiveExtra } from '../../../../core/secrets-masker';
import { extraSensitiveWords } from '../../../../core/sensitive-names';
import { addConnection, deleteConnection, getConnection, updateConnection } from '../../../../services/connections';
import { field, parsePort, restoreMaskedExtra } from '../../data/admin-forms';
import { listConnectionRows } from '../../data/admin-data';
import type { UiRouteContext } from '../../ui-route-context';
import { allow, body, csrfProtected, noticeOf, page } from '../route-helpers';
import { actingAs, confirmDeletion, registerSaveRoute } from './admin-route-helpers';

const LIST = '/admin/connections';
const TEXT_FIELDS = ['conn_id', 'conn_type', 'host', 'schema', 'login', 'port', 'extra', 'description'] as const;
type ConnectionText = Record<(typeof TEXT_FIELDS)[number], string>;
type ConnectionForm = ConnectionText & { hasPassword: boolean };

/** Each text field of the form, trimmed ('' when absent). */
function textFields(source: Record<string, unknown>): ConnectionText {
  const out = {} as ConnectionText;
  for (const name of TEXT_FIELDS) out[name] = field(source, name);
  return out;
}

/**
 * Connections: one form field per connection field — op and admin, as the API's /connections.
 * The password is write-only: the form never holds it, an empty box keeps it, a tick clears it.
 * Sensitive extra fields are shown as `***` and keep their value when posted back as `***`.
 */
export function registerConnectionAdminRoutes(router: Router, c: UiRouteContext): void {
  const words = extraSensitiveWords(c.ctx.config.core.sensitive_var_conn_names);
  const can = (action: string) => ({ action, resource: 'Connections' });
  const read = allow(c, can('can_read'));
  const write = [...allow(c, can('can_read'), can('can_edit')), ...csrfProtected(c)];
  const remove = [...allow(c, can('can_read'), can('can_delete')), ...csrfProtected(c)];
  const formData = (req: Request, values: ConnectionForm, isNew: boolean) => ({
    tab: 'connections',
    isNew,
    ...values,
    notice: noticeOf(req),
  });

  router.get(
    LIST,
    ...read,
    page(c, async (req, res) => {
      c.render(req, res, 'connections.njk', {
        connections: await listConnectionRows(c.ctx.dataSource, words),
        notice: noticeOf(req),
      });
    }),
  );
  router.get(
    `${LIST}/new`,
    ...read,
    page(c, async (req, res) => {
      const empty = textFields({});
      c.render(req, res, 'connection-form.njk', formData(req, { ...empty, hasPassword: false }, true));
    }),
  );
  router.get(
    `${LIST}/edit`,
    ...read,
    page(c, async (req, res) => {
      const conn = await getConnection(c.ctx, typeof req.query.conn_id === 'string' ? req.query.conn_id : '');
      c.render(
        req,
        res,
        'connection-form.njk',
        formData(
          req,
          {
            conn_id: conn.connId,
            conn_type: conn.connType,
            host: conn.host ?? '',
            schema: conn.schema ?? '',
            login: conn.login ?? '',
            port: conn.port === null ? '' : String(conn.port),
            extra: maskSensitiveExtra(conn.extra, words) ?? '',
            description: conn.description ?? '',
            hasPassword: !!conn.password,
          },
          false,
        ),
      );
    }),
  );
  registerSaveRoute(router, c, write, {
    list: LIST,
    noun: 'connection',
    template: 'connection-form.njk',
    idField: 'conn_id',
    read: (posted, connId) => ({
      text: { ...textFields(posted), conn_id: connId },
      password: typeof posted.password === 'string' ? posted.password : '',
      clearPassword: posted.clear_password === 'on',
    }),
    // The posted password is not shown again, whatever went wrong.
    formData: async (req, { text }, isNew) =>
      formData(
        req,
        { ...text, hasPassword: !isNew && !!(await getConnection(c.ctx, text.conn_id).catch(() => null))?.password },
        isNew,
      ),
    save: async (req, { text, password, clearPassword }, isNew) => {
      if (!text.conn_id) throw new InvalidArgumentError('connection id must not be empty');
      if (!text.conn_type) throw new InvalidArgumentError('connection type must not be empty');
      const fields = {
        connType: text.conn_type,
        host: text.host || null,
        schema: text.schema || null,
        login: text.login || null,
        port: parsePort(text.port),
        description: text.description || null,
      };
      if (isNew) {
        const extra = restoreMaskedExtra(text.extra, null);
        await addConnection(actingAs(c, req), { connId: text.conn_id, ...fields, extra, password: password || null });
      } else {
        const current = await getConnection(c.ctx, text.conn_id);
        const extra = restoreMaskedExtra(text.extra, current.extra);
        await updateConnection(actingAs(c, req), text.conn_id, {
          ...fields,
          extra,
          ...(clearPassword ? { password: null } : password ? { password } : {}),
        });
      }
    },
  });
  router.post(
    `${LIST}/delete`,
    ...remove,
    page(c, async (req, res) => {
      const connId = field(body(req), 'conn_id');
      await getConnection(c.ctx, connId);
      await confirmDeletion(
        c,
        req,
        res,
        { noun: 'connection', list: LIST, message: `Delete connection '${connId}'?` },
        async () => {
          await deleteConnection(actingAs(c, req), connId);
        },
      );
    }),
  );
}
