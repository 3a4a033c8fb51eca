import { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { parseConnectionUri } from '../../core/connection-uri';
import { addConnection, deleteConnection, getConnection, listConnections } from '../../services/connections';
import { withAppContext } from '../cli-context';
import { printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';
import { parseIntArg } from '../parse-args';

interface AddOptions {
  connUri?: string;
  connType?: string;
  connHost?: string;
  connLogin?: string;
  connPassword?: string;
  connSchema?: string;
  connPort?: number;
  connExtra?: string;
  connDescription?: string;
}

export function registerConnectionCommands(program: Command): void {
  const connections = program.command('connections').description('manage connections to external systems');

  connections
    .command('add')
    .description('add a connection, from a URI or from its parts')
    .argument('<conn_id>')
    .option('--conn-uri <uri>', 'type://login:password@host:port/schema?extra')
    .option('--conn-type <type>', 'connection type (postgres, http, …)')
    .option('--conn-host <host>')
    .option('--conn-login <login>')
    .option('--conn-password <password>')
    .option('--conn-schema <schema>')
    .option('--conn-port <port>', 'port', (v) => parseIntArg(v, '--conn-port', 1, 65535))
    .option('--conn-extra <json>', 'extra settings as a JSON object')
    .option('--conn-description <text>')
    .action(async (connId: string, options: AddOptions) => {
      const parts = [
        options.connType,
        options.connHost,
        options.connLogin,
        options.connPassword,
        options.connSchema,
        options.connPort,
        options.connExtra,
      ];
      if (options.connUri && parts.some((p) => p !== undefined))
        throw new InvalidArgumentError(
          'give either --conn-uri or --conn-type and the other --conn-* options, not both',
        );
      if (!options.connUri && !options.connType) throw new InvalidArgumentError('give --conn-uri or --conn-type');
      const fields = options.connUri
        ? parseConnectionUri(options.connUri)
        : {
            connType: options.connType as string,
            host: options.connHost ?? null,
            login: options.connLogin ?? null,
            password: options.connPassword ?? null,
            schema: options.connSchema ?? null,
            port: options.connPort ?? null,
            extra: options.connExtra ?? null,
          };
      await withAppContext(async (ctx) => {
        await addConnection(ctx, { connId, description: options.connDescription ?? null, ...fields });
        printLine(`Connection ${connId} added`);
      });
    });

  withOutputOption(
    connections
      .command('get')
      .description('show a connection; prints its URI (password included)')
      .argument('<conn_id>'),
  ).action(async (connId: string, options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const conn = await getConnection(ctx, connId);
      if (options.output === 'table') {
        printLine(conn.uri);
        return;
      }
      printObject(
        {
          conn_id: conn.connId,
          conn_type: conn.connType,
          description: conn.description,
          host: conn.host,
          schema: conn.schema,
          login: conn.login,
          port: conn.port,
          extra: conn.extra,
          uri: conn.uri,
        },
        options.output,
      );
    });
  });

  connections
    .command('delete')
    .description('delete a connection')
    .argument('<conn_id>')
    .action(async (connId: string) => {
      await withAppContext(async (ctx) => {
        await deleteConnection(ctx, connId);
        printLine(`Connection ${connId} deleted`);
      });
    });

  withOutputOption(connections.command('list').description('list connections (passwords are never shown)')).action(
    async (options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        const rows = (await listConnections(ctx)).map((c) => ({
          conn_id: c.connId,
          conn_type: c.connType,
          description: c.description,
          host: c.host,
          schema: c.schema,
          login: c.login,
          port: c.port,
          is_extra_set: Boolean(c.extra),
        }));
        printRows(rows, options.output, ['conn_id', 'conn_type', 'host', 'port', 'schema', 'login']);
      });
    },
  );
}
