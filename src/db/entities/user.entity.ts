import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/** A built-in role (admin, op, viewer) or the name of a custom role (`dagctl_role`). */
export type UserRole = string;

@Entity({ name: 'dagctl_user' })
@Index('dagctl_user_username_key', ['username'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'username', type: 'varchar', length: 256 }) username!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 256 }) passwordHash!: string;
  @Column({ name: 'role', type: 'varchar', length: 64 }) role!: UserRole;
  @Column({ name: 'created_at', ...DATE_COLUMN }) createdAt!: Date | null;
  @Column({ name: 'last_login', ...DATE_COLUMN }) lastLogin!: Date | null;
  @Column({ name: 'first_name', type: 'varchar', length: 256, nullable: true }) firstName!: string | null;
  @Column({ name: 'last_name', type: 'varchar', length: 256, nullable: true }) lastName!: string | null;
  @Column({ name: 'email', type: 'varchar', length: 256, nullable: true }) email!: string | null;
  @Column({ name: 'changed_on', ...DATE_COLUMN }) changedOn!: Date | null;
}
