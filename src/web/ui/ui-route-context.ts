import type { AppContext } from '../../app/app-context';
import type { RenderPage } from './render/render-page';
import type { UiDeps } from './ui-deps';

/** What every UI route module gets. */
export interface UiRouteContext {
  deps: UiDeps;
  ctx: AppContext;
  render: RenderPage;
}
