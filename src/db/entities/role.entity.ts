import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATE_COLUMN } from '../column-types';

/**
 * A custom role (Airflow's `ab_role`): a name users can hold and the permissions it grants. The
 * built-in roles (admin, op, viewer) are not stored. `name_key` is the name in lower case, so
 * names are unique case-insensitively on SQLite and PostgreSQL alike.
 */
@Entity({ name: 'dagctl_role' })
@Index('dagctl_role_name_key', ['nameKey'], { unique: true })
export class RoleEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'name', type: 'varchar', length: 64 }) name!: string;
  @Column({ name: 'name_key', type: 'varchar', length: 64 }) nameKey!: string;
  /** JSON: `[{"action": "can_read", "resource": "DAGs"}, …]`, sorted, without duplicates. */
  @Column({ name: 'permissions', type: 'text' }) permissions!: string;
  @Column({ name: 'created_at', ...DATE_COLUMN }) createdAt!: Date | null;
  @Column({ name: 'changed_on', ...DATE_COLUMN }) changedOn!: Date | null;
}
