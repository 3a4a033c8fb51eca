import { DagRunState } from '../../core/states';
import { DepStatus, failing, passing } from './dep-status';

/** Task instances of a run are scheduled only while the run itself is running. */
export function dagRunRunningDep(runState: DagRunState): DepStatus {
  if (runState === DagRunState.RUNNING) return passing('the DAG run is running');
  return failing(`the DAG run is ${runState}, not running`);
}
