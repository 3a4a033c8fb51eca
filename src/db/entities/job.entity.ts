import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** A long-running process (scheduler, worker, dag processor, a hand run of a task) and its heartbeat. */
@Entity({ name: 'job' })
@Index('job_type_heart', ['jobType', 'latestHeartbeat'])
export class JobEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'job_type', type: 'varchar', length: 30 }) jobType!: string;
  @Column({ name: 'state', type: 'varchar', length: 20 }) state!: string;
  @Column({ name: 'hostname', type: 'varchar', length: 500, nullable: true }) hostname!: string | null;
  @Column({ name: 'pid', type: 'integer', nullable: true }) pid!: number | null;
  @Column({ name: 'executor_class', type: 'varchar', length: 50, nullable: true }) executorClass!: string | null;
  @Column({ name: 'start_date', ...DATE_COLUMN }) startDate!: Date | null;
  @Column({ name: 'end_date', ...DATE_COLUMN }) endDate!: Date | null;
  @Column({ name: 'latest_heartbeat', ...DATE_COLUMN }) latestHeartbeat!: Date | null;
  /** prom-client metrics JSON the process publishes on heartbeat (schedulers). */
  @Column({ name: 'metrics', type: 'text', nullable: true }) metrics!: string | null;
}
