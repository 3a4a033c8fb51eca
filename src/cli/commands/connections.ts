import { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { ConnectionFields, connectionToUri, parseConnectionJson, parseConnectionUri } from '../../core/connection-uri';
import { connectionEnvName, connectionFromEnv } from '../../core/env-secrets';
import { exportConnections, importConnections } from '../../services/connection-transfer';
import { addConnection, deleteConnection, getConnection, listConnections } from '../../services/connections';
import { withAppContext } from '../cli-context';
import { readTransferFile, writeTransferFile } from '../transfer-file';
import { printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';
import { parseIntArg } from '../parse-args';

interface AddOptions {
  connUri?: string;
  connJson?: string;
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
    .option('--conn-json <json>', 'the connection as JSON: {"conn_type": …, "host": …, "port": …, "extra": {…}}')
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
      const whole = [options.connUri, options.connJson].filter((v) => v !== undefined).length;
      if (whole > 1) throw new InvalidArgumentError('give --conn-uri or --conn-json, not both');
      if (whole === 1 && parts.some((p) => p !== undefined))
        throw new InvalidArgumentError(
          'give either --conn-uri/--conn-json or --conn-type and the other --conn-* options, not both',
        );
      if (whole === 0 && !options.connType)
        throw new InvalidArgumentError('give --conn-uri, --conn-json or --conn-type');
      const given: ConnectionFields & { description?: string | null } =
        options.connUri !== undefined
          ? parseConnectionUri(options.connUri)
          : options.connJson !== undefined
            ? parseConnectionJson(options.connJson)
            : {
                connType: options.connType as string,
                host: options.connHost ?? null,
                login: options.connLogin ?? null,
                password: options.connPassword ?? null,
                schema: options.connSchema ?? null,
                port: options.connPort ?? null,
                extra: options.connExtra ?? null,
              };
      const { description = null, ...fields } = given;
      await withAppContext(async (ctx) => {
        await addConnection(ctx, { connId, description: options.connDescription ?? description, ...fields });
        printLine(`Connection ${connId} added`);
      });
    });

  withOutputOption(
    connections
      .command('get')
      .description(`show a connection; prints its URI (password included); ${connectionEnvName('<ID>')} wins`)
      .argument('<conn_id>'),
  ).action(async (connId: string, options: { output: OutputFormat }) => {
    const fromEnv = connectionFromEnv(connId);
    const show = (conn: Parameters<typeof connectionToUri>[0] & { description: string | null }, source: string) => {
      const uri = connectionToUri(conn);
      if (options.output === 'table') {
        printLine(uri);
        return;
      }
      printObject(
        {
          conn_id: connId,
          conn_type: conn.connType,
          description: conn.description,
          host: conn.host,
          schema: conn.schema,
          login: conn.login,
          port: conn.port,
          extra: conn.extra,
          uri,
          source,
        },
        options.output,
      );
    };
    if (fromEnv) {
      show({ ...fromEnv, description: fromEnv.description ?? null }, connectionEnvName(connId));
      return;
    }
    await withAppContext(async (ctx) => show(await getConnection(ctx, connId), 'database'));
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

  connections
    .command('import')
    .description('import connections from a JSON file of { "conn_id": { "conn_type": …, … } } (- for stdin)')
    .argument('<file>')
    .option('--overwrite', 'replace connections that already exist (default: skip them)')
    .action(async (file: string, options: { overwrite?: boolean }) => {
      const text = readTransferFile(file);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new InvalidArgumentError(`${file} is not valid JSON`);
      }
      await withAppContext(async (ctx) => {
        const { created, updated, skipped } = await importConnections(ctx, data, options);
        const skippedText = skipped.length
          ? `; skipped ${skipped.length} that already exist (${skipped.join(', ')}; --overwrite replaces them)`
          : '';
        printLine(`Imported ${created + updated} connection(s) (${created} new, ${updated} replaced)${skippedText}`);
      });
    });

  connections
    .command('export')
    .description('export every connection, passwords included, to a JSON file (- for stdout)')
    .argument('<file>')
    .action(async (file: string) => {
      await withAppContext(async (ctx) => {
        const data = await exportConnections(ctx);
        const text = `${JSON.stringify(data, null, 2)}\n`;
        // Passwords are in the file: readable by its owner only.
        writeTransferFile(file, text, `Exported ${Object.keys(data).length} connection(s) to ${file}`, 0o600);
      });
    });
}
