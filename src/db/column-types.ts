import { ValueTransformer } from 'typeorm';
import { openSecret, sealSecret } from './secrets-keyring';

/**
 * Dates are stored as ISO-8601 UTC strings ('2026-01-01T00:00:00.000Z') in varchar columns: the
 * same on SQLite and PostgreSQL, readable, and ordered correctly by plain string comparison.
 */
export const isoDate: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : (value ?? null)),
  from: (value: string | null) => (value === null || value === undefined ? null : new Date(value)),
};

export const DATE_COLUMN = { type: 'varchar', length: 32, nullable: true, transformer: isoDate } as const;

export function toIso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/**
 * A column encrypted at rest with `core.fernet_key` (connection password/extra, variable value):
 * every reader and writer through TypeORM sees clear text, the database only ciphertext.
 */
export const encryptedSecret: ValueTransformer = {
  to: (value: string | null | undefined) => sealSecret(value),
  from: (value: string | null | undefined) => openSecret(value),
};
