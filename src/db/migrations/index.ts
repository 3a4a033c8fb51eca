import { InitialSchema1700000000001 } from './1700000000001-initial-schema';
import { ApiTokens1700000000002 } from './1700000000002-api-tokens';
import { JobMetrics1700000000003 } from './1700000000003-job-metrics';
import { TiRunStateIndex1700000000004 } from './1700000000004-ti-run-state-index';
import { DagCodeDefaultsHash1700000000005 } from './1700000000005-dag-code-defaults-hash';
import { PlatformRetries1700000000006 } from './1700000000006-platform-retries';
import { EncryptSecrets1700000000009 } from './1700000000009-encrypt-secrets';
import { DagRunOwner1700000000018 } from './1700000000018-dag-run-owner';
import { TaskMap1700000000020 } from './1700000000020-task-map';
import { Datasets1700000000023 } from './1700000000023-datasets';
import { DagRunTriggeredBy1700000000028 } from './1700000000028-dag-run-triggered-by';
import { CallbacksDeadlinesLate1700000000030 } from './1700000000030-callbacks-deadlines-late';
import { TaskInstanceHold1700000000033 } from './1700000000033-task-instance-hold';
import { DagDraining1700000000034 } from './1700000000034-dag-draining';
import { UserProfile1700000000036 } from './1700000000036-user-profile';
import { AuditLogAndUserProfile1700000000037 } from './1700000000037-audit-log-and-user-profile';
import { Backfills1700000000042 } from './1700000000042-backfills';
import { CustomRoles1700000000043 } from './1700000000043-custom-roles';
import { DagRunCreationIndex1700000000044 } from './1700000000044-dag-run-creation-index';
import { HeldByFitsUsernames1700000000045 } from './1700000000045-held-by-fits-usernames';

/** Every migration, oldest first. Each runs in its own transaction. */
export const ALL_MIGRATIONS = [
  InitialSchema1700000000001,
  ApiTokens1700000000002,
  JobMetrics1700000000003,
  TiRunStateIndex1700000000004,
  DagCodeDefaultsHash1700000000005,
  PlatformRetries1700000000006,
  EncryptSecrets1700000000009,
  DagRunOwner1700000000018,
  TaskMap1700000000020,
  Datasets1700000000023,
  DagRunTriggeredBy1700000000028,
  CallbacksDeadlinesLate1700000000030,
  TaskInstanceHold1700000000033,
  DagDraining1700000000034,
  UserProfile1700000000036,
  AuditLogAndUserProfile1700000000037,
  Backfills1700000000042,
  CustomRoles1700000000043,
  DagRunCreationIndex1700000000044,
  HeldByFitsUsernames1700000000045,
];
