import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const UNPAUSED = passing('the DAG is not paused');
const DRAINING = passing('the DAG is draining: its running runs finish, no new run is created');
const PAUSED = failing('the DAG is paused: its running runs queue no more tasks until it is unpaused');

/**
 * Like Airflow, a paused DAG's running runs stop queueing tasks (`dags test` ignores the flag);
 * a draining pause (`dags pause --drain`) lets them go on to their end.
 */
export const DagUnpausedDep: TiDep<Pick<QueueDepContext, 'dagPaused' | 'dagDraining'>> = {
  name: 'Dag Not Paused',
  evaluate: ({ dagPaused, dagDraining }) => (!dagPaused ? UNPAUSED : dagDraining ? DRAINING : PAUSED),
};
