import { Command, Option } from 'commander';
import YAML from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'plain'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Adds `-o, --output table|json|yaml|plain` to a command that lists or shows something. */
export function withOutputOption(command: Command): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table'),
  );
}

/** Write to stdout (kept in one place so commands never mix JSON with other stdout text). */
export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  printLine(JSON.stringify(value, null, 2));
}

/** `json` and `yaml` print the data itself (machine-readable); `table` and `plain` are for eyes and cut. */
export function isStructured(format: OutputFormat): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml';
}

/**
 * Print data as JSON or YAML (the one place both are produced). Dates go through JSON first so
 * both formats show the same ISO strings.
 */
export function printData(value: unknown, format: 'json' | 'yaml'): void {
  if (format === 'json') {
    printJson(value);
    return;
  }
  const plain: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  process.stdout.write(YAML.stringify(plain));
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return primitiveText(value).replace(/\s*\n\s*/g, ' ');
}

/** A primitive's text (a string, number, boolean…: what is left of a row's value after the checks above). */
function primitiveText(value: unknown): string {
  return String(value);
}

/**
 * Print rows (snake_case objects, the JSON shape) in the chosen format: `json`/`yaml` as is, `table`
 * aligned with a header, `plain` tab-separated without a header (for scripts).
 */
export function printRows(rows: Array<Record<string, unknown>>, format: OutputFormat, columns?: string[]): void {
  if (isStructured(format)) {
    printData(rows, format);
    return;
  }
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0]) : []);
  const cells = rows.map((row) => cols.map((col) => cell(row[col])));
  if (format === 'plain') {
    for (const line of cells) printLine(line.join('\t'));
    return;
  }
  if (rows.length === 0) {
    printLine('(no rows)');
    return;
  }
  const widths = cols.map((col, i) => Math.max(col.length, ...cells.map((line) => line[i].length)));
  const format_ = (line: string[]): string =>
    line
      .map((text, i) => text.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  printLine(format_(cols));
  printLine(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const line of cells) printLine(format_(line));
}

/** One object: JSON/YAML as is, otherwise `key: value` lines (table) or `key\tvalue` (plain). */
export function printObject(value: Record<string, unknown>, format: OutputFormat): void {
  if (isStructured(format)) {
    printData(value, format);
    return;
  }
  const width = Math.max(0, ...Object.keys(value).map((key) => key.length));
  for (const [key, item] of Object.entries(value)) {
    printLine(format === 'plain' ? `${key}\t${cell(item)}` : `${key.padEnd(width)} : ${cell(item)}`);
  }
}

/** A date as ISO-8601 UTC for JSON output, or null. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** A note for the user on stderr (stdout stays clean for JSON and scripts). */
export function printWarning(text: string): void {
  process.stderr.write(`warning: ${text}\n`);
}
