import { Command } from 'commander';
import { errorMessage, InvalidArgumentError } from '../../core/errors';
import { permissionName, type Permission } from '../../core/permissions';
import { AlreadyExistsError } from '../../services/already-exists-error';
import {
  changeRolePermissions,
  checkPermissions,
  createRole,
  deleteRole,
  getRole,
  listRoles,
  updateRole,
  type RoleRecord,
} from '../../services/roles';
import type { ServiceContext } from '../../services/service-context';
import { withAppContext } from '../cli-context';
import { readTransferFile, writeTransferFile } from '../transfer-file';
import { isStructured, printLine, printRows, withOutputOption, type OutputFormat } from '../output';

/** One line of Airflow's `roles export` file: a role's actions on one resource, comma-joined. */
interface ExportEntry {
  name: string;
  resource: string;
  action: string;
}

/** Airflow's export shape: one entry per (role, resource); a role without permissions has one empty entry. */
function exportEntries(roles: RoleRecord[]): ExportEntry[] {
  return roles.flatMap((role) => {
    if (role.permissions.length === 0) return [{ name: role.name, resource: '', action: '' }];
    const byResource = new Map<string, string[]>();
    for (const p of role.permissions) byResource.set(p.resource, [...(byResource.get(p.resource) ?? []), p.action]);
    return [...byResource].map(([resource, actions]) => ({
      name: role.name,
      resource,
      action: actions.sort().join(','),
    }));
  });
}

/**
 * Roles from a file in Airflow's `roles export` shape (`[{"name", "resource", "action"}]`), or a
 * plain list of role names. Everything is checked before anything is stored.
 */
export function parseRoleFile(text: string, file: string): Map<string, Permission[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
  if (!Array.isArray(value))
    throw new InvalidArgumentError(
      `${file}: expected a list of {"name", "resource", "action"} (as roles export writes)`,
    );
  const roles = new Map<string, Permission[]>();
  value.forEach((item: unknown, i) => {
    if (typeof item === 'string') {
      roles.set(item, roles.get(item) ?? []);
      return;
    }
    const entry = (item ?? {}) as Partial<Record<keyof ExportEntry, unknown>>;
    if (typeof entry.name !== 'string' || !entry.name.trim())
      throw new InvalidArgumentError(`${file}: entry ${i} needs a "name"`);
    const resource = typeof entry.resource === 'string' ? entry.resource : '';
    const actions = (typeof entry.action === 'string' ? entry.action : '').split(',').map((a) => a.trim());
    const permissions = roles.get(entry.name) ?? [];
    if (resource) for (const action of actions.filter(Boolean)) permissions.push({ action, resource });
    roles.set(entry.name, permissions);
  });
  return roles;
}

function printRoles(roles: RoleRecord[], withPermissions: boolean, format: OutputFormat): void {
  const rows = roles.map((role) => ({
    name: role.key,
    ...(withPermissions
      ? {
          permissions: isStructured(format)
            ? role.permissions.map(permissionName)
            : role.permissions.map(permissionName).join(', '),
        }
      : {}),
  }));
  printRows(rows, format, withPermissions ? ['name', 'permissions'] : ['name']);
}

/** Every (resource, action) pair of `-r` and `-a`: Airflow grants each action on each resource. */
function permissionsOf(options: { resource: string[]; action: string[] }): Permission[] {
  return options.resource.flatMap((resource) => options.action.map((action) => ({ action, resource })));
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function registerPermissionCommand(roles: Command, name: 'add-perms' | 'del-perms'): void {
  roles
    .command(name)
    .description(
      `${name === 'add-perms' ? 'grant' : 'revoke'} permissions (each action on each resource) of custom roles`,
    )
    .argument('<role...>', 'custom role names')
    .requiredOption('-r, --resource <resource>', "a resource, as Airflow names it ('DAG Runs'); repeatable", collect)
    .requiredOption(
      '-a, --action <action>',
      'an action: can_read, can_create, can_edit, can_delete; repeatable',
      collect,
    )
    .action(async (names: string[], options: { resource: string[]; action: string[] }) => {
      await withAppContext(async (ctx) => {
        const updated = await changeRolePermissions(ctx, names, permissionsOf(options), name === 'del-perms');
        for (const role of updated)
          printLine(`Role ${role.name}: ${role.permissions.length} permission(s) after ${name}`);
      });
    });
}

async function importRoles(ctx: ServiceContext, roles: Map<string, Permission[]>): Promise<number> {
  let count = 0;
  for (const [name, permissions] of roles) {
    // A role that exists gets the file's permissions (built-in roles are refused by the service).
    try {
      await createRole(ctx, { name, permissions });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      await updateRole(ctx, (await getRole(ctx, name)).name, { permissions });
    }
    count++;
  }
  return count;
}

/** `dagctl roles …`: Airflow's commands for the built-in roles and custom ones. */
export function registerRoleCommands(program: Command): void {
  const roles = program
    .command('roles')
    .description('the roles users can have: built in (admin, op, viewer) and custom');

  withOutputOption(
    roles.command('list').description('list roles').option('-p, --permission', "show each role's permissions"),
  ).action(async (options: { output: OutputFormat; permission?: boolean }) => {
    await withAppContext(async (ctx) => printRoles(await listRoles(ctx), !!options.permission, options.output));
  });

  roles
    .command('create')
    .description('create custom roles without permissions (a role that exists is left as it is)')
    .argument('<role...>', 'role names (1 to 64 characters, case-insensitive)')
    .action(async (names: string[]) => {
      await withAppContext(async (ctx) => {
        for (const name of names) {
          try {
            await createRole(ctx, { name, permissions: [] });
            printLine(`Role ${name.trim()} created`);
          } catch (err) {
            if (!(err instanceof AlreadyExistsError)) throw err;
            printLine(`Role ${name.trim()} already exists`);
          }
        }
      });
    });

  roles
    .command('delete')
    .description('delete custom roles that no user holds')
    .argument('<role...>', 'role names')
    .action(async (names: string[]) => {
      await withAppContext(async (ctx) => {
        for (const name of names) {
          await deleteRole(ctx, name);
          printLine(`Role ${name} deleted`);
        }
      });
    });

  registerPermissionCommand(roles, 'add-perms');
  registerPermissionCommand(roles, 'del-perms');

  roles
    .command('export')
    .description("write the custom roles and their permissions to a JSON file in Airflow's shape (- for stdout)")
    .argument('<file>')
    .option('-p, --pretty', 'indent the JSON')
    .action(async (file: string, options: { pretty?: boolean }) => {
      await withAppContext(async (ctx) => {
        const custom = (await listRoles(ctx)).filter((role) => !role.builtIn);
        const text = `${JSON.stringify(exportEntries(custom), null, options.pretty ? 4 : undefined)}\n`;
        writeTransferFile(file, text, `Exported ${custom.length} role(s) to ${file}`);
      });
    });

  roles
    .command('import')
    .description('create or update custom roles from a file written by roles export (- for stdin)')
    .argument('<file>')
    .action(async (file: string) => {
      const parsed = parseRoleFile(readTransferFile(file), file);
      // A bad action or resource anywhere in the file changes nothing.
      for (const permissions of parsed.values()) checkPermissions(permissions);
      await withAppContext(async (ctx) => {
        printLine(`Imported ${await importRoles(ctx, parsed)} role(s) from ${file}`);
      });
    });
}
