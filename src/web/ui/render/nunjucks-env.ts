import nunjucks from 'nunjucks';
import { formatDate, formatDuration } from './format';

/**
 * The one nunjucks environment of the UI. Autoescape is on: every value from a DAG file or a user
 * is HTML-escaped unless a template says otherwise. The one exception is a DAG's docs, marked safe
 * only after renderMarkdown (no raw HTML, then an allow-list sanitizer).
 */
export function createNunjucksEnv(viewsDir: string, options: { watch?: boolean } = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: options.watch ?? false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('dt', (value: unknown) => formatDate(value));
  env.addFilter('duration', (seconds: unknown) => formatDuration(typeof seconds === 'number' ? seconds : null));
  env.addFilter('state', (value: unknown) => (typeof value === 'string' && value ? value : 'none'));
  env.addFilter('pretty', (value: unknown) => JSON.stringify(value ?? null, null, 2));
  env.addFilter('n', (value: unknown, digits: number | undefined = 1) =>
    typeof value === 'number' ? Number(value.toFixed(digits)) : value,
  );
  return env;
}
