import net from 'node:net';
import { UserError } from '../core/errors';

/** The one-line hint for a port another process holds: how to pick another one. */
export function portInUseMessage(port: number): string {
  return `port ${port} is in use: pass -p PORT or set DAGCTL__WEBSERVER__PORT`;
}

/** A listen error as the user should see it: a busy or forbidden port is a UserError with a hint. */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new UserError(portInUseMessage(port));
  if (code === 'EACCES') return new UserError(`not allowed to listen on ${host}:${port}: pass -p PORT (above 1023)`);
  if (code === 'EADDRNOTAVAIL') return new UserError(`${host} is not an address of this machine: pass -H HOST`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Throws listenError's UserError if nothing could listen on host:port now (`standalone` checks
 * before starting its children, so a busy port is one clear line, not a child's crash).
 */
export async function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => reject(listenError(err, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
