import type { Request, Router } from 'express';
import { InvalidArgumentError } from '../../../../core/errors';
import { listRoles } from '../../../../services/roles';
import { createUser, deleteUser, getUser, updateUser } from '../../../../services/users';
import { field } from '../../data/admin-forms';
import { listUserRows } from '../../data/admin-data';
import { currentUser } from '../../ui-deps';
import type { UiRouteContext } from '../../ui-route-context';
import { allow, body, csrfProtected, noticeOf, page } from '../route-helpers';
import { actingAs, confirmDeletion, registerSaveRoute } from './admin-route-helpers';

const LIST = '/admin/users';

interface UserForm {
  username: string;
  role: string;
  firstName: string;
  lastName: string;
  email: string;
}

/**
 * Users: create, change role (built-in or custom), reset password, delete — with the Users
 * permissions, as the API's /users. Passwords
 * are never shown or echoed back. An admin cannot delete themself or change their own role, so the
 * last admin cannot lock everyone out by a slip of the mouse.
 */
export function registerUserAdminRoutes(router: Router, c: UiRouteContext): void {
  const can = (action: string) => ({ action, resource: 'Users' });
  const read = allow(c, can('can_read'));
  const write = [...allow(c, can('can_read'), can('can_edit')), ...csrfProtected(c)];
  const remove = [...allow(c, can('can_read'), can('can_delete')), ...csrfProtected(c)];
  const formData = async (req: Request, values: UserForm, isNew: boolean) => ({
    tab: 'users',
    isNew,
    // The built-in roles (admin, op, viewer) then the custom ones, as a user's role stores them.
    roles: (await listRoles(c.ctx)).map((role) => role.key),
    isSelf: !isNew && currentUser(req)?.username === values.username,
    ...values,
    notice: noticeOf(req),
  });
  const changed = (): void => c.deps.forgetCredentials?.();

  router.get(
    LIST,
    ...read,
    page(c, async (req, res) => {
      c.render(req, res, 'users.njk', {
        users: await listUserRows(c.ctx.dataSource),
        me: currentUser(req)?.username,
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
        'user-form.njk',
        await formData(req, { username: '', role: 'viewer', firstName: '', lastName: '', email: '' }, true),
      );
    }),
  );
  router.get(
    `${LIST}/edit`,
    ...read,
    page(c, async (req, res) => {
      const user = await getUser(c.ctx, typeof req.query.username === 'string' ? req.query.username : '');
      const values = {
        username: user.username,
        role: user.role,
        firstName: user.firstName ?? '',
        lastName: user.lastName ?? '',
        email: user.email ?? '',
      };
      c.render(req, res, 'user-form.njk', await formData(req, values, false));
    }),
  );
  registerSaveRoute(router, c, write, {
    list: LIST,
    noun: 'user',
    template: 'user-form.njk',
    idField: 'username',
    read: (posted, username) => ({
      form: {
        username,
        role: field(posted, 'role'),
        firstName: field(posted, 'first_name'),
        lastName: field(posted, 'last_name'),
        email: field(posted, 'email'),
      },
      password: typeof posted.password === 'string' ? posted.password : '',
    }),
    formData: (req, { form }, isNew) => formData(req, form, isNew),
    save: async (req, { form, password }, isNew) => {
      const profile = {
        firstName: form.firstName || null,
        lastName: form.lastName || null,
        email: form.email || null,
      };
      if (isNew) {
        if (!password) throw new InvalidArgumentError('password must not be empty');
        await createUser(actingAs(c, req), { username: form.username, password, role: form.role, ...profile });
      } else {
        const current = await getUser(c.ctx, form.username);
        if (form.username === currentUser(req)?.username && form.role !== current.role)
          throw new InvalidArgumentError('you cannot change your own role: ask another admin');
        await updateUser(actingAs(c, req), form.username, {
          role: form.role,
          ...profile,
          ...(password ? { password } : {}),
        });
      }
      changed();
    },
  });
  router.post(
    `${LIST}/delete`,
    ...remove,
    page(c, async (req, res) => {
      const username = field(body(req), 'username');
      if (username === currentUser(req)?.username)
        throw new InvalidArgumentError('you cannot delete your own user: ask another admin');
      await getUser(c.ctx, username);
      await confirmDeletion(
        c,
        req,
        res,
        { noun: 'user', list: LIST, message: `Delete user '${username}'? They can no longer log in.` },
        async () => {
          await deleteUser(actingAs(c, req), username);
          changed();
        },
      );
    }),
  );
}
