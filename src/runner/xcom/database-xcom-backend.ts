import type { XComBackend } from './xcom-backend';

/** The default: the value itself is the row's content (the xcom table's `value` column). */
export const databaseXComBackend: XComBackend = {
  name: 'database',
  store: (_ref, value) => value,
  load: (stored) => stored,
  clearTry: () => undefined,
  purge: () => undefined,
};
