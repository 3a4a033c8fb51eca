import { isSensitiveName, MASK } from './sensitive-names';

/**
 * Values shorter than this are never masked. Masking `ab` or `1` would turn every occurrence of
 * those characters in a log into `***`, making logs unreadable while hiding nothing: a secret that
 * short can be guessed anyway, and the pattern of `***` would itself point at where it appears.
 * Airflow skips short secrets for the same reason.
 */
export const MIN_MASKED_LENGTH = 3;

/**
 * One try's secrets masker (contract §6): fed with every connection password, sensitive extra
 * field and sensitive variable the try loads and with `ctx.maskSecret` values; replaces each of
 * them — as written, JSON-escaped, URL-encoded (both `%20` and `+` forms), and each line of a
 * multi-line secret — by `***`. Pure: no I/O, no config.
 */
export class SecretsMasker {
  private readonly forms = new Set<string>();
  private pattern: RegExp | null = null;
  private longest = 0;

  /** Register a secret: a string or number as it is; an object or array by every leaf. */
  add(value: unknown): void {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') this.addString(value);
    else if (typeof value === 'number' || typeof value === 'bigint') this.addString(String(value));
    else if (Array.isArray(value)) value.forEach((item) => this.add(item));
    else if (typeof value === 'object') Object.values(value).forEach((item) => this.add(item));
  }

  /** Register every value under a sensitive key of a (parsed) connection extra, at any depth. */
  addSensitiveFields(value: unknown, extraWords: readonly string[] = []): void {
    if (Array.isArray(value)) value.forEach((item) => this.addSensitiveFields(item, extraWords));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (isSensitiveName(key, extraWords)) this.add(inner);
        else this.addSensitiveFields(inner, extraWords);
      }
    }
  }

  /** How many forms are masked (0: mask() returns its input). */
  get size(): number {
    return this.forms.size;
  }

  /** The length of the longest masked form: a partial line shorter than this may still grow into one. */
  get longestForm(): number {
    return this.longest;
  }

  /** The text with every secret form replaced by `***`. */
  mask(text: string): string {
    const pattern = this.regex();
    return pattern ? text.replace(pattern, MASK) : text;
  }

  /** Start and end of every secret form in the text (for cutting a buffer between matches). */
  matches(text: string): Array<[number, number]> {
    const pattern = this.regex();
    if (!pattern) return [];
    return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
  }

  /**
   * A JSON-like value with every string masked and every value under a sensitive key shown as
   * `***` (rendered fields, run conf); `extraWords` null masks the known secrets only (XComs,
   * where a key name alone must not change the data downstream tasks pull).
   */
  maskValue(value: unknown, extraWords: readonly string[] | null = []): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((item) => this.maskValue(item, extraWords));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [
          key,
          extraWords !== null && isSensitiveName(key, extraWords) && inner !== null && inner !== ''
            ? MASK
            : this.maskValue(inner, extraWords),
        ]),
      );
    }
    if ((typeof value === 'number' || typeof value === 'bigint') && this.forms.has(String(value))) return MASK;
    return value;
  }

  private addString(secret: string): void {
    const candidates = [secret, ...secret.split(/\r?\n/)];
    for (const candidate of candidates) {
      for (const form of formsOf(candidate)) {
        if (form.length < MIN_MASKED_LENGTH || this.forms.has(form)) continue;
        this.forms.add(form);
        this.longest = Math.max(this.longest, form.length);
        this.pattern = null;
      }
    }
  }

  private regex(): RegExp | null {
    if (this.forms.size === 0) return null;
    // Longest first, so a secret that contains another is masked whole.
    this.pattern ??= new RegExp(
      [...this.forms]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return this.pattern;
  }
}

/** A secret as it may appear in output: as is, inside a JSON string, in a URL or a form body. */
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [secret, json, url, form];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A JSON-like value with the values under sensitive keys shown as `***` (run conf for viewers). */
export function maskSensitiveKeys(value: unknown, extraWords: readonly string[] = []): unknown {
  return new SecretsMasker().maskValue(value, extraWords);
}

/**
 * A connection's `extra` (JSON text) with the values under sensitive keys, at any depth, shown as
 * `***`, for every listing of connections (API, UI). An extra that is not JSON cannot be searched
 * for sensitive keys, so it is hidden whole.
 */
export function maskSensitiveExtra(extra: string | null, extraWords: readonly string[]): string | null {
  if (extra === null || extra.trim() === '') return extra;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return MASK;
  }
  return JSON.stringify(maskSensitiveKeys(parsed, extraWords));
}
