import { Column, Entity, PrimaryGeneratedColumn, Index } from 'typeorm';

export const DEFAULT_POOL = 'default_pool';

@Entity({ name: 'slot_pool' })
@Index('slot_pool_pool_key', ['pool'], { unique: true })
export class PoolEntity {
  @PrimaryGeneratedColumn({ name: 'id' }) id!: number;
  @Column({ name: 'pool', type: 'varchar', length: 256 }) pool!: string;
  @Column({ name: 'slots', type: 'integer', default: 0 }) slots!: number;
  @Column({ name: 'description', type: 'text', nullable: true }) description!: string | null;
}
