import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin, INSTALL_COMMAND, requireServiceBinaries } from './service-binaries';

describe('the binaries of the private test services', () => {
  const none = { postgresBin: () => null, redisServer: () => null };

  it('fails at once, naming what is missing and the one command that installs it', () => {
    expect(() => requireServiceBinaries({ postgres: true, redis: true }, none)).toThrow(
      'no shared server answered, and PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/*/bin) and redis-server ' +
        `are not installed to start a private one. Install with: ${INSTALL_COMMAND}`,
    );
    expect(() => requireServiceBinaries({ postgres: false, redis: true }, none)).toThrow(
      /and redis-server is not installed .* Install with: apt-get install -y postgresql redis-server$/,
    );
  });

  it('asks for nothing when the shared servers answer', () => {
    expect(requireServiceBinaries({ postgres: false, redis: false }, none)).toEqual({});
  });

  it("picks the newest PostgreSQL's bin folder that has initdb, pg_ctl and postgres", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-pg-bins-'));
    try {
      expect(findPostgresBin(root)).toBeNull();
      for (const [version, names] of [
        ['9.6', ['initdb', 'pg_ctl', 'postgres']],
        ['15', ['initdb', 'pg_ctl', 'postgres']],
        ['16', ['initdb']],
      ] as const) {
        fs.mkdirSync(path.join(root, version, 'bin'), { recursive: true });
        for (const name of names) fs.writeFileSync(path.join(root, version, 'bin', name), '', { mode: 0o755 });
      }
      expect(findPostgresBin(root)).toBe(path.join(root, '15', 'bin'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
