import { runtimeAsset } from '../../core/runtime-assets';

export interface UiPaths {
  views: string;
  static: string;
}

/** The UI's templates and static files: copied to dist/ by the build, read from src/ under jest. */
export function uiPaths(): UiPaths {
  return { views: runtimeAsset('uiViews'), static: runtimeAsset('uiStatic') };
}
