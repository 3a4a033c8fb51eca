import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** A web UI login session. `id` is the SHA-256 of the secret held in the session cookie. */
@Entity({ name: 'web_session' })
@Index('web_session_user', ['userId'])
@Index('web_session_expires', ['expiresAt'])
export class WebSessionEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 64 }) id!: string;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  /** The token forms and fetch calls must send back (double submit, bound to this session). */
  @Column({ name: 'csrf_token', type: 'varchar', length: 64 }) csrfToken!: string;
  @Column({ name: 'created_at', ...DATE_COLUMN }) createdAt!: Date | null;
  @Column({ name: 'expires_at', ...DATE_COLUMN, nullable: false }) expiresAt!: Date;
}
