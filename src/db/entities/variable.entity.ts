import { Column, Entity, PrimaryGeneratedColumn, Index } from 'typeorm';
import { encryptedSecret } from '../column-types';

@Entity({ name: 'variable' })
@Index('variable_key_key', ['key'], { unique: true })
export class VariableEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'key', type: 'varchar', length: 250 }) key!: string;
  /** Encrypted at rest (core.fernet_key); clear text here. */
  @Column({ name: 'val', type: 'text', nullable: true, transformer: encryptedSecret }) val!: string | null;
  @Column({ name: 'description', type: 'text', nullable: true }) description!: string | null;
}
