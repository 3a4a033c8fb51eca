import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** A JSON value pushed by a task instance; key 'return_value' holds what the task returned. */
@Entity({ name: 'xcom' })
export class XComEntity {
  @PrimaryColumn({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: 250 }) runId!: string;
  @PrimaryColumn({ name: 'task_id', type: 'varchar', length: 250 }) taskId!: string;
  @PrimaryColumn({ name: 'map_index', type: 'integer', default: -1 }) mapIndex!: number;
  @PrimaryColumn({ name: 'key', type: 'varchar', length: 512 }) key!: string;
  /** JSON text. */
  @Column({ name: 'value', type: 'text', nullable: true }) value!: string | null;
  @Column({ name: 'timestamp', ...DATE_COLUMN }) timestamp!: Date | null;
}
