import { Command } from 'commander';
import { createUser, deleteUser, listUsers, USER_ROLES } from '../../services/users';
import { withAppContext } from '../cli-context';
import { isoOrNull, printLine, printRows, withOutputOption, type OutputFormat } from '../output';

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage web UI / REST API users');

  users
    .command('create')
    .description('create a user')
    .requiredOption('-u, --username <name>', 'login name')
    .requiredOption('-p, --password <password>', 'password')
    .requiredOption('-r, --role <role>', `one of ${USER_ROLES.join(', ')}`)
    .action(async (options: { username: string; password: string; role: string }) => {
      await withAppContext(async (ctx) => {
        const user = await createUser(ctx, options);
        printLine(`User ${user.username} created with role ${user.role}`);
      });
    });

  withOutputOption(users.command('list').description('list users')).action(
    async (options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        const rows = (await listUsers(ctx)).map((u) => ({
          id: u.id,
          username: u.username,
          role: u.role,
          created_at: isoOrNull(u.createdAt),
          last_login: isoOrNull(u.lastLogin),
        }));
        printRows(rows, options.output, ['id', 'username', 'role', 'last_login']);
      });
    },
  );

  users
    .command('delete')
    .description('delete a user')
    .requiredOption('-u, --username <name>', 'login name')
    .action(async (options: { username: string }) => {
      await withAppContext(async (ctx) => {
        await deleteUser(ctx, options.username);
        printLine(`User ${options.username} deleted`);
      });
    });
}
