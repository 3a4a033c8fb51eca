import { loadDagFile } from '../authoring/load-dag-file';
import type { DagFileLoader } from './runner-dag';

/** The SDK's loadDagFile, seen through the runner's duck-typed shape (the compiler checks they fit). */
export const defaultDagFileLoader: DagFileLoader = (file, options) => loadDagFile(file, options);
