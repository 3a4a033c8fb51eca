import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** Source text of each DAG file, so a web server on another machine can show it. */
@Entity({ name: 'dag_code' })
export class DagCodeEntity {
  @PrimaryColumn({ name: 'fileloc', type: 'varchar', length: 2000 }) fileloc!: string;
  @Column({ name: 'source_code', type: 'text' }) sourceCode!: string;
  @Column({ name: 'last_updated', ...DATE_COLUMN }) lastUpdated!: Date | null;
  /** Hash of the config defaults the file's DAGs were serialized with (see authoring-defaults.ts). */
  @Column({ name: 'defaults_hash', type: 'varchar', length: 64, nullable: true }) defaultsHash!: string | null;
}
