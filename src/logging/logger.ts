import winston from 'winston';
import { errorMessage } from '../core/errors';

export type LogFormat = 'text' | 'json';

let configured: { level: string; format: LogFormat } = {
  level: process.env.DAGCTL__LOGGING__LEVEL ?? 'info',
  format: (process.env.DAGCTL__LOGGING__FORMAT as LogFormat) ?? 'text',
};
const root = winston.createLogger({
  level: configured.level,
  transports: [
    new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] }),
  ],
});

/**
 * A caught error passed as `{ err }`: `log.error('scheduler loop failed', { err })`. Its message
 * is appended to the line (`scheduler loop failed: <message>`); at error level its stack follows
 * (a `stack` field in JSON), since an error-level line is one somebody has to debug. Lower levels
 * keep the one line: they report conditions the code handles. The lint rule
 * `dagctl/log-error-with-stack` enforces passing the error rather than `errorMessage(err)`.
 */
const caughtError = winston.format((info) => {
  if (!('err' in info)) return info;
  const { err } = info;
  delete info.err;
  info.message = `${String(info.message)}: ${errorMessage(err)}`;
  if (info.level === 'error') {
    const stack = stackOf(err);
    if (stack) info.stack = stack;
  }
  return info;
});

/** The error's stack and, for each `cause`, the cause's ("Error: …\n    at …\nCaused by: …"). */
function stackOf(err: unknown): string | undefined {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    parts.push(e.stack ?? `${e.name}: ${e.message}`);
  return parts.length ? parts.join('\nCaused by: ') : undefined;
}

/** The line format: `[time] LEVEL component: message key=value…` then the stack, or JSON. */
export function logFormat(format: LogFormat): winston.Logform.Format {
  const text = winston.format.printf((info) => {
    const { level, message, timestamp, component, stack, ...rest } = info as Record<string, unknown>;
    const extra = Object.keys(rest).length
      ? ' ' +
        Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    const prefix = `[${String(timestamp)}] ${String(level).toUpperCase().padEnd(5)}`;
    const where = typeof component === 'string' ? `${component}: ` : '';
    return `${prefix} ${where}${String(message)}${extra}${typeof stack === 'string' ? `\n${stack}` : ''}`;
  });
  return format === 'json'
    ? winston.format.combine(caughtError(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(caughtError(), winston.format.timestamp(), text);
}

function applyFormat(): void {
  root.format = logFormat(configured.format);
  root.level = configured.level;
}
applyFormat();

/** Set level and format once the config is loaded (text on a terminal, JSON for log shippers). */
export function configureLogging(options: { level?: string; format?: LogFormat }): void {
  configured = { level: options.level ?? configured.level, format: options.format ?? configured.format };
  applyFormat();
}

export type Logger = winston.Logger;

/**
 * A logger for one part of the system: `getLogger('scheduler').info('…', { dagId })`. A caught
 * error goes in as `{ err }` (see `caughtError` above), never as `errorMessage(err)` alone.
 */
export function getLogger(component: string): Logger {
  return root.child({ component });
}
