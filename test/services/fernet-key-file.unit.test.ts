import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { ensureFernetKey } from '../../src/services/fernet-key-file';

describe('ensureFernetKey (initdb)', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-fernet-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const load = (env: Record<string, string> = {}) => loadConfig({ DAGCTL_HOME: home, ...env }, home);
  const fileContent = () => JSON.parse(fs.readFileSync(path.join(home, 'dagctl.json'), 'utf8')) as Record<string, any>;

  it('generates a key into $DAGCTL_HOME/dagctl.json (0600) once, then leaves it alone', () => {
    const config = load();
    expect(ensureFernetKey(config)).toEqual({ generatedInto: path.join(home, 'dagctl.json') });
    const key = fileContent().core.fernet_key as string;
    expect(config.core.fernet_key).toBe(key);
    expect(fs.statSync(path.join(home, 'dagctl.json')).mode & 0o777).toBe(0o600);
    expect(load().core.fernet_key).toBe(key);
    expect(ensureFernetKey(load())).toEqual({ generatedInto: null });
    expect(fileContent().core.fernet_key).toBe(key);
  });

  it('keeps the other settings of an existing config file', () => {
    fs.writeFileSync(path.join(home, 'dagctl.json'), JSON.stringify({ core: { parallelism: 4 } }), { mode: 0o644 });
    ensureFernetKey(load());
    expect(fileContent().core.parallelism).toBe(4);
    expect(load().core.fernet_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(home, 'dagctl.json')).mode & 0o777).toBe(0o600);
  });

  it('never replaces a key in the file that an empty environment variable hides', () => {
    ensureFernetKey(load());
    const key = fileContent().core.fernet_key as string;
    const config = load({ DAGCTL__CORE__FERNET_KEY: '' });
    expect(ensureFernetKey(config)).toEqual({ generatedInto: null });
    expect(config.core.fernet_key).toBe(key);
    expect(fileContent().core.fernet_key).toBe(key);
  });

  it('does nothing when the environment sets a key', () => {
    expect(ensureFernetKey(load({ DAGCTL__CORE__FERNET_KEY: 'x'.repeat(43) }))).toEqual({ generatedInto: null });
    expect(fs.existsSync(path.join(home, 'dagctl.json'))).toBe(false);
  });
});
