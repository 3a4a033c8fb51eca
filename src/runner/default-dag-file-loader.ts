import { loadDagFile } from '../authoring/load-dag-file';
import type { DagFileLoader, RunnerDag } from './runner-dag';

/** The SDK's loadDagFile, seen through the runner's duck-typed shape. */
export const defaultDagFileLoader: DagFileLoader = async (file, options) =>
  (await loadDagFile(file, options)) as unknown as RunnerDag[];
