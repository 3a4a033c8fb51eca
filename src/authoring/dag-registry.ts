/**
 * While a DAG file is being imported, every DAG constructed is recorded here, so a DAG that is
 * created but not exported still counts (Airflow collects module-level DAGs the same way).
 * The slot lives on the global object under a global symbol so that all SDK copies share it.
 * Outside a load the slot is empty and nothing is retained.
 */
export const DAG_REGISTRY_KEY = Symbol.for('dagctl.dagRegistry');

type RegistryHost = { [DAG_REGISTRY_KEY]?: object[] };

export function recordCreatedDag(dag: object, host: object = globalThis): void {
  const slot = (host as RegistryHost)[DAG_REGISTRY_KEY];
  if (Array.isArray(slot)) slot.push(dag);
}

/** Start recording on `host` (the global object the DAG file's code runs against). */
export function beginDagCollection(host: object): void {
  (host as RegistryHost)[DAG_REGISTRY_KEY] = [];
}

/** Stop recording and return what was created since beginDagCollection. */
export function endDagCollection(host: object): object[] {
  const slot = (host as RegistryHost)[DAG_REGISTRY_KEY];
  delete (host as RegistryHost)[DAG_REGISTRY_KEY];
  return Array.isArray(slot) ? slot : [];
}
