import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';
import type { DagRunState, DagRunType } from '../../core/states';

@Entity({ name: 'dag_run' })
@Index('dag_run_dag_id_run_id_key', ['dagId', 'runId'], { unique: true })
@Index('dag_run_dag_id_logical_date_key', ['dagId', 'logicalDate'], { unique: true })
@Index('idx_dag_run_state', ['state'])
export class DagRunEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @Column({ name: 'run_id', type: 'varchar', length: 250 }) runId!: string;
  @Column({ name: 'logical_date', ...DATE_COLUMN, nullable: false }) logicalDate!: Date;
  @Column({ name: 'data_interval_start', ...DATE_COLUMN }) dataIntervalStart!: Date | null;
  @Column({ name: 'data_interval_end', ...DATE_COLUMN }) dataIntervalEnd!: Date | null;
  @Column({ name: 'state', type: 'varchar', length: 50 }) state!: DagRunState;
  @Column({ name: 'run_type', type: 'varchar', length: 50 }) runType!: DagRunType;
  @Column({ name: 'external_trigger', type: 'boolean', default: false }) externalTrigger!: boolean;
  @Column({ name: 'conf', type: 'simple-json', nullable: true }) conf!: Record<string, unknown> | null;
  @Column({ name: 'queued_at', ...DATE_COLUMN }) queuedAt!: Date | null;
  @Column({ name: 'start_date', ...DATE_COLUMN }) startDate!: Date | null;
  @Column({ name: 'end_date', ...DATE_COLUMN }) endDate!: Date | null;
  /** The serialized DAG hash this run was created with. */
  @Column({ name: 'dag_hash', type: 'varchar', length: 64, nullable: true }) dagHash!: string | null;
  @Column({ name: 'last_scheduling_decision', ...DATE_COLUMN }) lastSchedulingDecision!: Date | null;
  @Column({ name: 'note', type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'updated_at', ...DATE_COLUMN }) updatedAt!: Date | null;
  /** The host and pid of the process driving this run itself (`dags test`); null: the schedulers drive it. */
  @Column({ name: 'owner_hostname', type: 'varchar', length: 250, nullable: true }) ownerHostname!: string | null;
  @Column({ name: 'owner_pid', type: 'integer', nullable: true }) ownerPid!: number | null;
  /** How late a scheduled run started after its data interval ended (scheduler.late_threshold); null: on time. */
  @Column({ name: 'late_seconds', type: 'integer', nullable: true }) lateSeconds!: number | null;
  /** The task instance (`<dag_id>/<run_id>/<task_id>`) whose TriggerDagRunOperator created this run. */
  @Column({ name: 'triggered_by_task', type: 'varchar', length: 760, nullable: true })
  triggeredByTask!: string | null;
  /** The backfill (`backfill.id`) this run belongs to; null for runs no backfill created or cleared. */
  @Column({ name: 'backfill_id', type: 'integer', nullable: true }) backfillId!: number | null;
}
