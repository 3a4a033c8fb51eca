import { routePermissions } from '../../src/api/access/route-permissions';
import { API_ROUTES } from '../../src/api/api-router';
import {
  BUILT_IN_ROLES,
  builtInPermissionSet,
  hasPermission,
  knownAction,
  knownResource,
  type BuiltInRole,
} from '../../src/core/permissions';

/** The rank the routes' `access` field speaks of: what the built-in roles could do before custom roles. */
const RANK: Record<BuiltInRole, number> = { viewer: 0, op: 1, admin: 2 };

describe('the permission each REST route needs', () => {
  const guarded = API_ROUTES.filter((route) => route.access !== 'public');

  it.each(guarded.map((r) => [r.method.toUpperCase(), r.path, r] as const))(
    '%s %s is open to exactly the built-in roles its access names',
    (_m, _p, route) => {
      const needed = routePermissions(route) ?? [];
      for (const role of BUILT_IN_ROLES) {
        const allowed = needed.every((p) => hasPermission(builtInPermissionSet(role), p));
        expect([role, allowed]).toEqual([role, RANK[role] >= RANK[route.access as BuiltInRole]]);
      }
    },
  );

  it('names only known actions and resources, and public routes need none', () => {
    for (const route of API_ROUTES) {
      const needed = routePermissions(route);
      if (route.access === 'public') expect(needed).toBeNull();
      for (const p of needed ?? []) {
        expect(knownAction(p.action)).toBe(p.action);
        expect(knownResource(p.resource)).toBe(p.resource);
      }
    }
  });

  it('refuses a route no rule covers, so a new route cannot go unguarded', () => {
    expect(() => routePermissions({ method: 'get', path: '/somethingNew', access: 'viewer' })).toThrow(
      /no permission rule covers get \/somethingNew/,
    );
  });
});
