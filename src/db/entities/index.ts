import { ApiTokenEntity } from './api-token.entity';
import { AuditLogEntity } from './audit-log.entity';
import { ConnectionEntity } from './connection.entity';
import { DagCodeEntity } from './dag-code.entity';
import { DagRunEntity } from './dag-run.entity';
import { DagEntity } from './dag.entity';
import { ImportErrorEntity } from './import-error.entity';
import { JobEntity } from './job.entity';
import { PoolEntity } from './pool.entity';
import { RoleEntity } from './role.entity';
import { SerializedDagEntity } from './serialized-dag.entity';
import { TaskInstanceHistoryEntity } from './task-instance-history.entity';
import { TaskInstanceEntity } from './task-instance.entity';
import { UserEntity } from './user.entity';
import { VariableEntity } from './variable.entity';
import { WebSessionEntity } from './web-session.entity';
import { XComEntity } from './xcom.entity';

export {
  AuditLogEntity,
  ConnectionEntity,
  DagCodeEntity,
  DagRunEntity,
  DagEntity,
  ImportErrorEntity,
  JobEntity,
  PoolEntity,
  RoleEntity,
  SerializedDagEntity,
  TaskInstanceHistoryEntity,
  TaskInstanceEntity,
  UserEntity,
  VariableEntity,
  XComEntity,
  ApiTokenEntity,
  WebSessionEntity,
};
export { DEFAULT_POOL } from './pool.entity';
export type { UserRole } from './user.entity';

export const ALL_ENTITIES = [
  AuditLogEntity,
  ConnectionEntity,
  DagCodeEntity,
  DagRunEntity,
  DagEntity,
  ImportErrorEntity,
  JobEntity,
  PoolEntity,
  RoleEntity,
  SerializedDagEntity,
  TaskInstanceHistoryEntity,
  TaskInstanceEntity,
  UserEntity,
  VariableEntity,
  XComEntity,
  ApiTokenEntity,
  WebSessionEntity,
];
