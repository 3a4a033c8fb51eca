import type { Request, Router } from 'express';
import { InvalidArgumentError } from '../../../../core/errors';
import { extraSensitiveWords, isSensitiveName } from '../../../../core/sensitive-names';
import { deleteVariable, getVariable, setVariable } from '../../../../services/variables';
import { assertJson, field, looksLikeJson } from '../../data/admin-forms';
import { listVariableRows } from '../../data/admin-data';
import type { UiRouteContext } from '../../ui-route-context';
import { allow, body, csrfProtected, noticeOf, page } from '../route-helpers';
import { actingAs, confirmDeletion, registerSaveRoute } from './admin-route-helpers';

const LIST = '/admin/variables';

/**
 * Variables: list, create, edit, delete — op and admin, as the API's /variables. A value whose
 * key names a secret is never sent to the browser: its edit box starts empty and an empty box
 * keeps the stored value.
 */
export function registerVariableAdminRoutes(router: Router, c: UiRouteContext): void {
  const words = extraSensitiveWords(c.ctx.config.core.sensitive_var_conn_names);
  const can = (action: string) => ({ action, resource: 'Variables' });
  const read = allow(c, can('can_read'));
  const write = [...allow(c, can('can_read'), can('can_edit')), ...csrfProtected(c)];
  const remove = [...allow(c, can('can_read'), can('can_delete')), ...csrfProtected(c)];

  /** What the form shows; a secret's value (stored or just posted) is never put back in it. */
  const formData = (
    req: Request,
    values: { key: string; value: string; description: string; isJson: boolean },
    isNew: boolean,
  ) => {
    const secret = isSensitiveName(values.key, words);
    return { tab: 'variables', isNew, secret, ...values, value: secret ? '' : values.value, notice: noticeOf(req) };
  };

  router.get(
    LIST,
    ...read,
    page(c, async (req, res) => {
      c.render(req, res, 'variables.njk', {
        variables: await listVariableRows(c.ctx.dataSource, words),
        notice: noticeOf(req),
      });
    }),
  );
  router.get(
    `${LIST}/new`,
    ...read,
    page(c, async (req, res) => {
      c.render(
        req,
        res,
        'variable-form.njk',
        formData(req, { key: '', value: '', description: '', isJson: false }, true),
      );
    }),
  );
  router.get(
    `${LIST}/edit`,
    ...read,
    page(c, async (req, res) => {
      const record = await getVariable(c.ctx, typeof req.query.key === 'string' ? req.query.key : '');
      const value = record.value ?? '';
      c.render(
        req,
        res,
        'variable-form.njk',
        formData(
          req,
          { key: record.key, value, description: record.description ?? '', isJson: looksLikeJson(value, false) },
          false,
        ),
      );
    }),
  );
  registerSaveRoute(router, c, write, {
    list: LIST,
    noun: 'variable',
    template: 'variable-form.njk',
    idField: 'key',
    read: (posted, key) => ({
      key,
      value: typeof posted.value === 'string' ? posted.value : '',
      description: field(posted, 'description'),
      isJson: posted.is_json === 'on',
    }),
    formData,
    save: async (req, { key, value: posted, description, isJson }, isNew) => {
      if (!key) throw new InvalidArgumentError('key must not be empty');
      let value = posted;
      if (isNew) {
        const taken = await getVariable(c.ctx, key).then(
          () => true,
          () => false,
        );
        if (taken) throw new InvalidArgumentError(`variable '${key}' already exists: edit it instead`);
      } else {
        const current = await getVariable(c.ctx, key);
        if (isSensitiveName(key, words) && value === '') value = current.value ?? '';
      }
      if (looksLikeJson(value, isJson)) assertJson(value, 'value');
      await setVariable(actingAs(c, req), key, value, description || null);
    },
  });
  router.post(
    `${LIST}/delete`,
    ...remove,
    page(c, async (req, res) => {
      const key = field(body(req), 'key');
      await getVariable(c.ctx, key);
      await confirmDeletion(
        c,
        req,
        res,
        { noun: 'variable', list: LIST, message: `Delete variable '${key}'?` },
        async () => {
          await deleteVariable(actingAs(c, req), key);
        },
      );
    }),
  );
}
