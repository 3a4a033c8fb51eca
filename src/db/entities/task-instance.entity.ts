import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';
import type { TaskStateOrNone } from '../../core/states';

/** One task of one DAG run. `try_number` is the number of the current (or last) try, from 1. */
@Entity({ name: 'task_instance' })
@Index('ti_state', ['state'])
@Index('ti_dag_run', ['dagId', 'runId'])
@Index('ti_dag_run_state', ['dagId', 'runId', 'state'])
@Index('ti_state_priority', ['state', 'priorityWeight'])
export class TaskInstanceEntity {
  @PrimaryColumn({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: 250 }) runId!: string;
  @PrimaryColumn({ name: 'task_id', type: 'varchar', length: 250 }) taskId!: string;
  @PrimaryColumn({ name: 'map_index', type: 'integer', default: -1 }) mapIndex!: number;
  @Column({ name: 'state', type: 'varchar', length: 20, nullable: true }) state!: TaskStateOrNone;
  @Column({ name: 'try_number', type: 'integer', default: 0 }) tryNumber!: number;
  @Column({ name: 'max_tries', type: 'integer', default: 0 }) maxTries!: number;
  /** Tries lost to the platform (a scheduler died under them) and run again without using a retry. */
  @Column({ name: 'platform_retries', type: 'integer', default: 0 }) platformRetries!: number;
  @Column({ name: 'start_date', ...DATE_COLUMN }) startDate!: Date | null;
  @Column({ name: 'end_date', ...DATE_COLUMN }) endDate!: Date | null;
  @Column({ name: 'duration', type: 'float', nullable: true }) duration!: number | null;
  @Column({ name: 'queued_dttm', ...DATE_COLUMN }) queuedDttm!: Date | null;
  /** When an up_for_retry / up_for_reschedule task may be scheduled again. */
  @Column({ name: 'next_try_at', ...DATE_COLUMN }) nextTryAt!: Date | null;
  @Column({ name: 'hostname', type: 'varchar', length: 1000, nullable: true }) hostname!: string | null;
  @Column({ name: 'pid', type: 'integer', nullable: true }) pid!: number | null;
  @Column({ name: 'operator', type: 'varchar', length: 1000, nullable: true }) operator!: string | null;
  @Column({ name: 'pool', type: 'varchar', length: 256, default: 'default_pool' }) pool!: string;
  @Column({ name: 'pool_slots', type: 'integer', default: 1 }) poolSlots!: number;
  @Column({ name: 'queue', type: 'varchar', length: 256, default: 'default' }) queue!: string;
  @Column({ name: 'priority_weight', type: 'integer', default: 1 }) priorityWeight!: number;
  @Column({ name: 'queued_by_job_id', type: 'integer', nullable: true }) queuedByJobId!: number | null;
  @Column({ name: 'external_executor_id', type: 'varchar', length: 250, nullable: true }) externalExecutorId!:
    string | null;
  /** First reschedule request of a sensor in reschedule mode: its timeout counts from here. */
  @Column({ name: 'first_reschedule_date', ...DATE_COLUMN }) firstRescheduleDate!: Date | null;
  @Column({ name: 'rendered_fields', type: 'simple-json', nullable: true }) renderedFields!: Record<
    string,
    unknown
  > | null;
  /** Why the last try ended as it did (error message, timeout…), for the UI and CLI. */
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
  /** Kept out of the queue by `tasks hold` (who and why below) until `tasks resume`. */
  @Column({ name: 'held', type: 'boolean', default: false }) held!: boolean;
  @Column({ name: 'held_by', type: 'varchar', length: 256, nullable: true }) heldBy!: string | null;
  @Column({ name: 'hold_reason', type: 'text', nullable: true }) holdReason!: string | null;
  @Column({ name: 'note', type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'updated_at', ...DATE_COLUMN }) updatedAt!: Date | null;
}
