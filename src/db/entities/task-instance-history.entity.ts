import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** One row per finished try of a task instance, so the UI can show every attempt. */
@Entity({ name: 'task_instance_history' })
@Index('tih_ti', ['dagId', 'runId', 'taskId', 'mapIndex', 'tryNumber'], { unique: true })
export class TaskInstanceHistoryEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @Column({ name: 'run_id', type: 'varchar', length: 250 }) runId!: string;
  @Column({ name: 'task_id', type: 'varchar', length: 250 }) taskId!: string;
  @Column({ name: 'map_index', type: 'integer', default: -1 }) mapIndex!: number;
  @Column({ name: 'try_number', type: 'integer' }) tryNumber!: number;
  @Column({ name: 'state', type: 'varchar', length: 20, nullable: true }) state!: string | null;
  @Column({ name: 'start_date', ...DATE_COLUMN }) startDate!: Date | null;
  @Column({ name: 'end_date', ...DATE_COLUMN }) endDate!: Date | null;
  @Column({ name: 'duration', type: 'float', nullable: true }) duration!: number | null;
  @Column({ name: 'hostname', type: 'varchar', length: 1000, nullable: true }) hostname!: string | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
}
