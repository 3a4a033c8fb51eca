import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** A bearer token for the REST API. Only its SHA-256 hash is stored; the token is shown once. */
@Entity({ name: 'api_token' })
@Index('api_token_hash_key', ['tokenHash'], { unique: true })
@Index('api_token_user', ['userId'])
export class ApiTokenEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ name: 'name', type: 'varchar', length: 100 }) name!: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  /** The first characters of the token, so users can tell their tokens apart. */
  @Column({ name: 'token_prefix', type: 'varchar', length: 16 }) tokenPrefix!: string;
  @Column({ name: 'created_at', ...DATE_COLUMN }) createdAt!: Date | null;
  @Column({ name: 'expires_at', ...DATE_COLUMN }) expiresAt!: Date | null;
  @Column({ name: 'last_used_at', ...DATE_COLUMN }) lastUsedAt!: Date | null;
}
