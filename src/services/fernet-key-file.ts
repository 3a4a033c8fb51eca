import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, UserError } from '../core/errors';
import type { LoadedConfig } from '../config/load-config';
import { generateFernetKey } from '../db/secrets-cipher';
import { useFernetKey } from '../db/secrets-keyring';

export interface EnsuredFernetKey {
  /** The config file the new key was written to; null when a key was already configured. */
  generatedInto: string | null;
}

/**
 * `initdb`: make sure `core.fernet_key` is set. When it is not (neither file nor env), generate
 * one and store it in the config file that was read, else `$DAGCTL_HOME/dagctl.json`, readable
 * only by its owner (0600), like Airflow writing fernet_key into airflow.cfg. The key itself is
 * never printed. `config` and this process's keyring are updated so the migrations that follow
 * can encrypt.
 */
export function ensureFernetKey(config: LoadedConfig): EnsuredFernetKey {
  if (config.core.fernet_key.trim()) return { generatedInto: null };
  const file = config.configFile ?? path.join(config.home, 'dagctl.json');
  let content: Record<string, unknown> = {};
  try {
    if (fs.existsSync(file)) content = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`cannot store core.fernet_key in ${file}: ${errorMessage(err)}`);
  }
  const core = (content.core ?? {}) as Record<string, unknown>;
  // The file has a key but an empty DAGCTL__CORE__FERNET_KEY hides it: replacing that key would
  // make every stored secret unreadable, so keep using it.
  if (typeof core.fernet_key === 'string' && core.fernet_key.trim()) {
    config.core.fernet_key = core.fernet_key;
    useFernetKey(core.fernet_key);
    return { generatedInto: null };
  }
  const key = generateFernetKey();
  content.core = { ...core, fernet_key: key };
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    // writeFileSync's mode applies only to a new file: an existing config now holds a key too.
    fs.chmodSync(file, 0o600);
  } catch (err) {
    throw new UserError(`cannot store core.fernet_key in ${file}: ${errorMessage(err)}`);
  }
  config.core.fernet_key = key;
  useFernetKey(key);
  return { generatedInto: file };
}
