import { Command } from 'commander';
import { withAppContext } from '../cli-context';
import { listenError } from '../listen-error';
import { printLine } from '../output';
import { parseIntArg } from '../parse-args';
import { startWebServer } from '../parts';
import { shutdownSignal, waitForAbort } from '../shutdown-signal';

export function registerWebserverCommand(program: Command): void {
  program
    .command('webserver')
    .description('serve the web UI and the REST API until stopped')
    .option('-p, --port <port>', 'port to listen on (default webserver.port)', (v) =>
      parseIntArg(v, '--port', 0, 65535),
    )
    .option('-H, --hostname <host>', 'address to listen on (default webserver.host)')
    .action(async (options: { port?: number; hostname?: string }) => {
      const stop = shutdownSignal('the web server');
      try {
        await withAppContext(
          async (ctx) => {
            const host = options.hostname ?? ctx.config.webserver.host;
            const port = options.port ?? ctx.config.webserver.port;
            const server = await startWebServer(ctx, { host, port }).catch((err: unknown) => {
              throw listenError(err, host, port);
            });
            printLine(`dagctl web server listening at ${server.url}`);
            await waitForAbort(stop.signal);
            await server.close();
          },
          { quiet: false },
        );
      } finally {
        stop.dispose();
      }
    });
}
