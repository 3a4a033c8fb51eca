import type { LoadedConfig } from '../../config/load-config';
import { databaseXComBackend } from './database-xcom-backend';
import { FilesystemXComBackend } from './filesystem-xcom-backend';
import type { XComBackend } from './xcom-backend';

/** How a runner keeps XComs: the backend of `core.xcom_backend` and `core.max_xcom_size`. */
export interface XComSettings {
  backend: XComBackend;
  maxBytes: number;
}

export const DEFAULT_MAX_XCOM_BYTES = 1_048_576;

export const DEFAULT_XCOM_SETTINGS: XComSettings = { backend: databaseXComBackend, maxBytes: DEFAULT_MAX_XCOM_BYTES };

export function xcomSettingsFromConfig(config: Pick<LoadedConfig, 'core'>): XComSettings {
  const backend =
    config.core.xcom_backend === 'filesystem'
      ? new FilesystemXComBackend(config.core.xcom_backend_path)
      : databaseXComBackend;
  return { backend, maxBytes: config.core.max_xcom_size };
}
