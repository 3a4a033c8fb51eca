import type { Router } from 'express';
import { buildCalendar, loadCalendarRuns } from '../data/calendar-data';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage } from './dag-page-data';
import { page } from './route-helpers';

/** The calendar view (Airflow 3.1): a year of days coloured by the state of that day's runs. */
export function registerCalendarRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/calendar',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'calendar');
      const runs = await loadCalendarRuns(c.ctx.dataSource, header.dag.dagId);
      const calendar = buildCalendar(runs, c.ctx.clock.now());
      c.render(req, res, 'calendar.njk', { ...header, calendar });
    }),
  );
}
