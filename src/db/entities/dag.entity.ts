import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** One row per DAG ever seen: its paused flag and the scheduler's bookkeeping for the next run. */
@Entity({ name: 'dag' })
@Index('idx_dag_next_run_create_after', ['isActive', 'isPaused', 'nextDagrunCreateAfter'])
export class DagEntity {
  @PrimaryColumn({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @Column({ name: 'is_paused', type: 'boolean', default: false }) isPaused!: boolean;
  /** Paused by `dags pause --drain`: no new run, but running runs finish (is_paused is true too). */
  @Column({ name: 'is_draining', type: 'boolean', default: false }) isDraining!: boolean;
  @Column({ name: 'is_active', type: 'boolean', default: true }) isActive!: boolean;
  @Column({ name: 'fileloc', type: 'varchar', length: 2000 }) fileloc!: string;
  @Column({ name: 'description', type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'schedule', type: 'varchar', length: 250, nullable: true }) schedule!: string | null;
  @Column({ name: 'tags', type: 'simple-json', nullable: true }) tags!: string[] | null;
  @Column({ name: 'owners', type: 'varchar', length: 250, nullable: true }) owners!: string | null;
  @Column({ name: 'max_active_runs', type: 'integer', nullable: true }) maxActiveRuns!: number | null;
  @Column({ name: 'max_active_tasks', type: 'integer', nullable: true }) maxActiveTasks!: number | null;
  @Column({ name: 'last_parsed_time', ...DATE_COLUMN }) lastParsedTime!: Date | null;
  @Column({ name: 'next_dagrun', ...DATE_COLUMN }) nextDagrun!: Date | null;
  @Column({ name: 'next_dagrun_data_interval_start', ...DATE_COLUMN }) nextDagrunDataIntervalStart!: Date | null;
  @Column({ name: 'next_dagrun_data_interval_end', ...DATE_COLUMN }) nextDagrunDataIntervalEnd!: Date | null;
  @Column({ name: 'next_dagrun_create_after', ...DATE_COLUMN }) nextDagrunCreateAfter!: Date | null;
}
