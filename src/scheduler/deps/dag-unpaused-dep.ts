import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const UNPAUSED = passing('the DAG is not paused');
const PAUSED = failing('the DAG is paused: its running runs queue no more tasks until it is unpaused');

/** Like Airflow, a paused DAG's running runs stop queueing tasks (`dags test` ignores the flag). */
export const DagUnpausedDep: TiDep<Pick<QueueDepContext, 'dagPaused'>> = {
  name: 'Dag Not Paused',
  evaluate: ({ dagPaused }) => (dagPaused ? PAUSED : UNPAUSED),
};
