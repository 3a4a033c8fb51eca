import os from 'node:os';
import { AppContext, closeAppContext, openAppContext } from '../app/app-context';
import { loadConfig } from '../config/load-config';
import { configureLogging } from '../logging/logger';

export interface WithContextOptions {
  /** db/initdb commands work on a database that is not migrated yet. */
  allowUnmigrated?: boolean;
  /**
   * Short commands keep INFO logs (parsing progress…) off the terminal unless the user asked
   * for a level; daemons (scheduler, webserver, worker) log at the configured level.
   */
  quiet?: boolean;
}

/** Open the app context, run `work`, and always close the database afterwards. */
export async function withAppContext<T>(
  work: (ctx: AppContext) => Promise<T>,
  options: WithContextOptions = {},
): Promise<T> {
  const config = loadConfig();
  const ctx: AppContext = {
    ...(await openAppContext({ config, allowUnmigrated: options.allowUnmigrated })),
    actor: cliActor(),
  };
  if ((options.quiet ?? true) && config.logging.level === 'info' && !process.env.DAGCTL__LOGGING__LEVEL)
    configureLogging({ level: 'warn' });
  try {
    return await work(ctx);
  } finally {
    await closeAppContext(ctx);
  }
}

/** Who runs the command, for the audit log. */
export function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}
