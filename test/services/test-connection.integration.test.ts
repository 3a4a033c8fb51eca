import net from 'node:net';
import { testConnection } from '../../src/services/test-connection';

describe('testConnection (POST /connections/test)', () => {
  it('reaches a listening port, and says why when it cannot', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await testConnection({ connType: 'postgres', host: '127.0.0.1', port })).toEqual({
        status: true,
        message: `Connection successfully tested (127.0.0.1:${port} is reachable)`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await testConnection({ connType: 'postgres', host: '127.0.0.1', port });
    expect(refused.status).toBe(false);
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('answers a port outside 1–65535 with a reason instead of throwing (found by the API fuzz test)', async () => {
    for (const port of [2147483647, 65536, -1, 1.5])
      expect(await testConnection({ connType: 'http', host: 'localhost', port })).toEqual({
        status: false,
        message: `port ${port} is not a TCP port (1 to 65535)`,
      });
  });
});
