import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** The latest serialized form of each DAG (JSON text of core/serialized-dag.ts). */
@Entity({ name: 'serialized_dag' })
export class SerializedDagEntity {
  @PrimaryColumn({ name: 'dag_id', type: 'varchar', length: 250 }) dagId!: string;
  @Column({ name: 'fileloc', type: 'varchar', length: 2000 }) fileloc!: string;
  @Column({ name: 'data', type: 'text' }) data!: string;
  /** Hash of `data`: a changed hash means a new DAG version. */
  @Column({ name: 'dag_hash', type: 'varchar', length: 64 }) dagHash!: string;
  @Column({ name: 'last_updated', ...DATE_COLUMN }) lastUpdated!: Date | null;
}
