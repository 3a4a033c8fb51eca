import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoadedConfig, loadConfig } from '../../src/config/load-config';
import { migrate, openDatabase } from '../../src/db/data-source';
import { AppContext, openAppContext } from '../../src/app/app-context';
import { TEST_FERNET_KEY } from './test-database';

/** A throwaway DAGCTL_HOME with its own dags folder, logs and config. */
export interface TestHome {
  home: string;
  dagsFolder: string;
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  writeDag(name: string, source: string): string;
  remove(): void;
}

export function createTestHome(options: { databaseUrl: string; env?: Record<string, string> }): TestHome {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-home-'));
  const dagsFolder = path.join(home, 'dags');
  fs.mkdirSync(dagsFolder);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DAGCTL_HOME: home,
    DAGCTL__DATABASE__URL: options.databaseUrl,
    DAGCTL__LOGGING__LEVEL: process.env.DAGCTL_TEST_LOG_LEVEL ?? 'warn',
    DAGCTL__CORE__FERNET_KEY: TEST_FERNET_KEY,
    ...options.env,
  };
  return {
    home,
    dagsFolder,
    env,
    config: loadConfig(env, home),
    writeDag(name, source) {
      const file = path.join(dagsFolder, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
      return file;
    },
    remove() {
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Migrate the home's database and open an AppContext on it. */
export async function openTestContext(home: TestHome): Promise<AppContext> {
  const ds = await openDatabase(home.config.database.url, { fernetKey: home.config.core.fernet_key });
  await migrate(ds);
  await ds.destroy();
  return openAppContext({ config: home.config });
}
