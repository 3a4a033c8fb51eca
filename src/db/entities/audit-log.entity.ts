import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** Who did what: every change made through the CLI, the API or the UI (services/audit-log.ts). */
@Entity({ name: 'log' })
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'dttm', ...DATE_COLUMN }) dttm!: Date | null;
  @Column({ name: 'event', type: 'varchar', length: 60 }) event!: string;
  @Column({ name: 'dag_id', type: 'varchar', length: 250, nullable: true }) dagId!: string | null;
  @Column({ name: 'task_id', type: 'varchar', length: 250, nullable: true }) taskId!: string | null;
  @Column({ name: 'run_id', type: 'varchar', length: 250, nullable: true }) runId!: string | null;
  @Column({ name: 'map_index', type: 'integer', nullable: true }) mapIndex!: number | null;
  @Column({ name: 'owner', type: 'varchar', length: 500, nullable: true }) owner!: string | null;
  @Column({ name: 'extra', type: 'text', nullable: true }) extra!: string | null;
}
