import net from 'node:net';
import { errorMessage } from '../core/errors';

export interface ConnectionTestResult {
  status: boolean;
  message: string;
}

const TIMEOUT_MS = 5000;

/**
 * Airflow's "Test connection", for the part dagctl can check without a provider hook: whether
 * the connection's host accepts TCP connections on its port (within 5 s). Nothing is sent.
 */
export async function testConnection(input: {
  connType: string;
  host?: string | null;
  port?: number | null;
}): Promise<ConnectionTestResult> {
  if (!input.host || !input.port)
    return {
      status: false,
      message: `dagctl tests a connection by reaching its host and port; this ${input.connType} connection has ${
        input.host ? 'no port' : 'no host'
      }`,
    };
  const { host, port } = input;
  // net.connect throws (not emits) on a port outside TCP's range: a stored port can be any integer.
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { status: false, message: `port ${port} is not a TCP port (1 to 65535)` };
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: TIMEOUT_MS });
    const done = (result: ConnectionTestResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () =>
      done({ status: true, message: `Connection successfully tested (${host}:${port} is reachable)` }),
    );
    socket.once('timeout', () =>
      done({ status: false, message: `${host}:${port} did not answer within ${TIMEOUT_MS / 1000} s` }),
    );
    socket.once('error', (err) => done({ status: false, message: `${host}:${port}: ${errorMessage(err)}` }));
  });
}
