import { Column, Entity, PrimaryGeneratedColumn, Index } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

@Entity({ name: 'import_error' })
@Index('import_error_filename_key', ['filename'], { unique: true })
export class ImportErrorEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'filename', type: 'varchar', length: 1024 }) filename!: string;
  @Column({ name: 'stacktrace', type: 'text' }) stacktrace!: string;
  @Column({ name: 'timestamp', ...DATE_COLUMN }) timestamp!: Date | null;
}
