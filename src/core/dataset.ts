/**
 * A dataset (Airflow 2.4+): a logical piece of data named by a URI. A task that lists it in its
 * `outlets` updates it when it succeeds; a DAG whose `schedule` is a list of datasets runs once
 * each of them was updated since its last dataset-triggered run.
 */
export class Dataset {
  readonly uri: string;
  readonly extra: Record<string, unknown> | null;

  /** The URI is checked where the dataset is used (outlets, schedule), so the error names the DAG and task. */
  constructor(uri: string, extra?: Record<string, unknown> | null) {
    this.uri = uri;
    this.extra = extra ?? null;
  }

  toString(): string {
    return this.uri;
  }
}

/** `dataset('s3://bucket/orders')`: a Dataset value for `outlets` and `schedule`. */
export function dataset(uri: string, extra?: Record<string, unknown> | null): Dataset {
  return new Dataset(uri, extra);
}

/** A Dataset from any copy of the SDK (DAG files may load their own). */
export function isDataset(value: unknown): value is Dataset {
  if (value instanceof Dataset) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    value.constructor?.name === 'Dataset' &&
    typeof (value as { uri?: unknown }).uri === 'string'
  );
}

/** Airflow's column width for dataset.uri. */
export const MAX_DATASET_URI_LENGTH = 3000;

/** Schemes Airflow (and dagctl) reserve for themselves. */
const RESERVED_SCHEMES = ['airflow', 'dagctl'];

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Why a URI cannot name a dataset, or null when it can. As Airflow's Dataset: non-empty, at most
 * 3000 characters, ASCII, not the reserved `airflow` scheme; stricter where Airflow accepts what
 * can only be a typo: no whitespace, and a URI with a scheme must parse as a URL.
 */
export function datasetUriProblem(uri: unknown): string | null {
  if (typeof uri !== 'string') return 'must be a string';
  if (uri.length === 0) return 'must not be empty';
  if (uri.length > MAX_DATASET_URI_LENGTH) return `must be at most ${MAX_DATASET_URI_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(uri)) return 'must be ASCII';
  if (/\s/.test(uri)) return 'must not contain whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(uri)) return 'must not contain control characters';
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return null;
  if (RESERVED_SCHEMES.includes(scheme)) return `the scheme '${scheme}' is reserved`;
  try {
    new URL(uri);
  } catch {
    return 'does not parse as a URI';
  }
  return null;
}

/** One update of a dataset that triggered a run (Airflow's DatasetEvent), as tasks see it. */
export interface TriggeringDatasetEvent {
  datasetUri: string;
  extra: Record<string, unknown> | null;
  /** The task instance whose success updated it; null for an update from the API or CLI. */
  sourceDagId: string | null;
  sourceRunId: string | null;
  sourceTaskId: string | null;
  sourceMapIndex: number;
  /** ISO-8601 UTC. */
  timestamp: string;
}
