import { Column, Entity, PrimaryGeneratedColumn, Index } from 'typeorm';
import { encryptedSecret } from '../column-types';

@Entity({ name: 'connection' })
@Index('connection_conn_id_key', ['connId'], { unique: true })
export class ConnectionEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'conn_id', type: 'varchar', length: 250 }) connId!: string;
  @Column({ name: 'conn_type', type: 'varchar', length: 500 }) connType!: string;
  @Column({ name: 'description', type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'host', type: 'varchar', length: 500, nullable: true }) host!: string | null;
  @Column({ name: 'schema', type: 'varchar', length: 500, nullable: true }) schema!: string | null;
  @Column({ name: 'login', type: 'text', nullable: true }) login!: string | null;
  /** Encrypted at rest (core.fernet_key); clear text here. */
  @Column({ name: 'password', type: 'text', nullable: true, transformer: encryptedSecret }) password!: string | null;
  @Column({ name: 'port', type: 'integer', nullable: true }) port!: number | null;
  /** Encrypted at rest (core.fernet_key); clear text (JSON) here. */
  @Column({ name: 'extra', type: 'text', nullable: true, transformer: encryptedSecret }) extra!: string | null;
}
