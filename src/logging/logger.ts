import winston from 'winston';

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
applyFormat();

function applyFormat(): void {
  const text = winston.format.printf((info) => {
    const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
    const extra = Object.keys(rest).length
      ? ' ' +
        Object.entries(rest)
          .filter(([k]) => typeof k === 'string')
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    return `[${timestamp}] ${String(level).toUpperCase().padEnd(5)} ${component ? `${component}: ` : ''}${message}${extra}`;
  });
  root.format =
    configured.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(winston.format.timestamp(), text);
  root.level = configured.level;
}

/** Set level and format once the config is loaded (text on a terminal, JSON for log shippers). */
export function configureLogging(options: { level?: string; format?: LogFormat }): void {
  configured = { level: options.level ?? configured.level, format: options.format ?? configured.format };
  applyFormat();
}

export type Logger = winston.Logger;

/** A logger for one part of the system: `getLogger('scheduler').info('…', { dagId })`. */
export function getLogger(component: string): Logger {
  return root.child({ component });
}
