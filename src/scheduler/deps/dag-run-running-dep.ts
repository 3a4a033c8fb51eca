import { DagRunState } from '../../core/states';
import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const RUNNING = passing('the DAG run is running');

/** Task instances of a run are queued only while the run itself is running. */
export const DagRunRunningDep: TiDep<Pick<QueueDepContext, 'runState'>> = {
  name: 'Dagrun Running',
  evaluate: ({ runState }) =>
    runState === DagRunState.RUNNING ? RUNNING : failing(`the DAG run is ${runState}, not running`),
};
