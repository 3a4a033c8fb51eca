import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app/app-context';
import { getLogger } from '../logging/logger';
import { createWebApp, type WebAppOptions } from './app';

const log = getLogger('webserver');

export interface StartWebServerOptions extends WebAppOptions {
  /** Default `webserver.host` (127.0.0.1: not reachable from other machines unless asked). */
  host?: string;
  /** Default `webserver.port`; 0 picks a free port. */
  port?: number;
}

export interface RunningWebServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Stop accepting connections and close the open ones. */
  close(): Promise<void>;
}

export async function startWebServer(ctx: AppContext, options: StartWebServerOptions = {}): Promise<RunningWebServer> {
  const host = options.host ?? ctx.config.webserver.host;
  const port = options.port ?? ctx.config.webserver.port;
  const app = createWebApp(ctx, options);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than common proxies' idle timeouts
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  // Debug only: `dagctl webserver` prints the one "listening at" line users (and standalone) read.
  log.debug(`web server listening on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
