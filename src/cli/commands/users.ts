import crypto from 'node:crypto';
import { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { createUser, deleteUser, listUsers, USER_ROLES } from '../../services/users';
import { withAppContext } from '../cli-context';
import { isoOrNull, printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';

interface CreateOptions {
  username: string;
  password?: string;
  useRandomPassword?: boolean;
  role: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  output: OutputFormat;
}

function registerCreate(users: Command): void {
  withOutputOption(
    users
      .command('create')
      .description(
        'create a user (flags as in Airflow; roles case-insensitive: Admin, Op, Viewer, User or a custom role)',
      )
      .requiredOption('-u, --username <name>', 'login name')
      .requiredOption('-r, --role <role>', `${USER_ROLES.join(', ')} (Airflow's names accepted) or a custom role`)
      .option('-f, --firstname <first>', 'first name')
      .option('-l, --lastname <last>', 'last name')
      .option('-e, --email <email>', 'email address')
      .option('-p, --password <password>', 'password')
      .option('--use-random-password', 'generate a password and print it once'),
  ).action(async (options: CreateOptions) => {
    if (options.password === undefined && !options.useRandomPassword)
      throw new InvalidArgumentError('a password is needed: pass -p PASSWORD or --use-random-password');
    if (options.password !== undefined && options.useRandomPassword)
      throw new InvalidArgumentError('pass either -p or --use-random-password, not both');
    const password = options.password ?? crypto.randomBytes(18).toString('base64url');
    await withAppContext(async (ctx) => {
      const user = await createUser(ctx, {
        username: options.username,
        password,
        role: options.role,
        firstName: options.firstname,
        lastName: options.lastname,
        email: options.email,
      });
      if (options.output === 'table') {
        printLine(`User ${user.username} created with role ${user.role}`);
        if (options.useRandomPassword) printLine(`Password: ${password}`);
      } else {
        printObject(
          {
            username: user.username,
            role: user.role,
            ...(options.useRandomPassword ? { password } : {}),
          },
          options.output,
        );
      }
    });
  });
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage web UI / REST API users');
  registerCreate(users);

  withOutputOption(users.command('list').description('list users')).action(
    async (options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        const rows = (await listUsers(ctx)).map((u) => ({
          id: u.id,
          username: u.username,
          email: u.email,
          first_name: u.firstName,
          last_name: u.lastName,
          role: u.role,
          created_at: isoOrNull(u.createdAt),
          last_login: isoOrNull(u.lastLogin),
        }));
        printRows(rows, options.output, ['id', 'username', 'email', 'first_name', 'last_name', 'role', 'last_login']);
      });
    },
  );

  users
    .command('delete')
    .description('delete a user')
    .option('-u, --username <name>', 'login name')
    .option('-e, --email <email>', 'email address')
    .action(async (options: { username?: string; email?: string }) => {
      if ((options.username === undefined) === (options.email === undefined))
        throw new InvalidArgumentError('pass exactly one of -u USERNAME or -e EMAIL');
      await withAppContext(async (ctx) => {
        let username = options.username;
        if (username === undefined) {
          const match = (await listUsers(ctx)).find((u) => u.email === options.email);
          if (!match) throw new InvalidArgumentError(`no user with email '${options.email}'`);
          username = match.username;
        }
        await deleteUser(ctx, username);
        printLine(`User ${username} deleted`);
      });
    });
}
