import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** Who did what: triggers, clears, pauses, state changes made by users. */
@Entity({ name: 'log' })
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'dttm', ...DATE_COLUMN }) dttm!: Date | null;
  @Column({ name: 'event', type: 'varchar', length: 60 }) event!: string;
  @Column({ name: 'dag_id', type: 'varchar', length: 250, nullable: true }) dagId!: string | null;
  @Column({ name: 'task_id', type: 'varchar', length: 250, nullable: true }) taskId!: string | null;
  @Column({ name: 'run_id', type: 'varchar', length: 250, nullable: true }) runId!: string | null;
  @Column({ name: 'owner', type: 'varchar', length: 500, nullable: true }) owner!: string | null;
  @Column({ name: 'extra', type: 'text', nullable: true }) extra!: string | null;
}
