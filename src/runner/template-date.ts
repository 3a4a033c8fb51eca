/**
 * A Date as templates see it: renders like Airflow's pendulum datetimes
 * ('2026-01-01T00:00:00+00:00') and offers the common accessors (`.year`, `.strftime('%Y')`,
 * `.isoformat()`), so `{{ logical_date }}` and `{{ logical_date.strftime('%Y%m') }}` work as in Airflow.
 */
export class TemplateDate extends Date {
  override toString(): string {
    return airflowIso(this);
  }
  isoformat(): string {
    return airflowIso(this);
  }
  get year(): number {
    return this.getUTCFullYear();
  }
  get month(): number {
    return this.getUTCMonth() + 1;
  }
  get day(): number {
    return this.getUTCDate();
  }
  get hour(): number {
    return this.getUTCHours();
  }
  get minute(): number {
    return this.getUTCMinutes();
  }
  get second(): number {
    return this.getUTCSeconds();
  }
  strftime(format: string): string {
    return strftime(this, format);
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Airflow's `ts`: ISO-8601 with '+00:00' and no fraction unless there is one (as microseconds). */
export function airflowIso(date: Date): string {
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const base = `${day}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return `${base}${ms ? `.${pad(ms, 3)}000` : ''}+00:00`;
}

/** 'YYYY-MM-DD' in UTC. */
export function dsOf(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** 'YYYYMMDDTHHMMSS' in UTC, Airflow's ts_nodash. */
export function tsNodashOf(date: Date): string {
  return airflowIso(date).slice(0, 19).replace(/[-:]/g, '');
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The strftime directives people use in Airflow templates, in UTC. */
export function strftime(date: Date, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, code: string) => {
    switch (code) {
      case 'Y':
        return String(date.getUTCFullYear());
      case 'y':
        return pad(date.getUTCFullYear() % 100);
      case 'm':
        return pad(date.getUTCMonth() + 1);
      case 'd':
        return pad(date.getUTCDate());
      case 'H':
        return pad(date.getUTCHours());
      case 'M':
        return pad(date.getUTCMinutes());
      case 'S':
        return pad(date.getUTCSeconds());
      case 'f':
        return `${pad(date.getUTCMilliseconds(), 3)}000`;
      case 'j':
        return pad(
          Math.floor(
            (Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) -
              Date.UTC(date.getUTCFullYear(), 0, 1)) /
              86_400_000,
          ) + 1,
          3,
        );
      case 'a':
        return DAY_NAMES[date.getUTCDay()].slice(0, 3);
      case 'A':
        return DAY_NAMES[date.getUTCDay()];
      case 'b':
        return MONTH_NAMES[date.getUTCMonth()].slice(0, 3);
      case 'B':
        return MONTH_NAMES[date.getUTCMonth()];
      case 'z':
        return '+0000';
      case 'Z':
        return 'UTC';
      case 's':
        return String(Math.floor(date.getTime() / 1000));
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}
