import fs from 'node:fs';
import { codePath } from './dist-path';

/**
 * The files and folders dagctl reads at run time that are not TypeScript, by their path under src/.
 * This list is the only place they are named: `npm run build` copies each to the same path under
 * dist/ (scripts/copy-assets.js reads this list from dist/core/runtime-assets.js), and
 * `runtimeAsset` finds them next to the running code. Moving an asset is one edit here.
 */
export const RUNTIME_ASSETS = {
  /** Airflow 2.6.3's stable REST API document (Apache License 2.0), served filtered. */
  airflowOpenApiDocument: 'api/openapi/airflow-2.6.3-openapi-v1.yaml',
  /** Nunjucks templates of the web UI. */
  uiViews: 'web/ui/views',
  /** CSS and browser scripts of the web UI. */
  uiStatic: 'web/ui/static',
} as const;

export type RuntimeAsset = keyof typeof RUNTIME_ASSETS;

/** Absolute path of a runtime asset: under dist/ when compiled, under src/ for the TS sources (jest). */
export function runtimeAsset(name: RuntimeAsset): string {
  const file = codePath(RUNTIME_ASSETS[name]);
  // Fail at start-up, naming the fix, rather than on the first request that needs it.
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: 'npm run build' copies it from src/`);
  return file;
}
