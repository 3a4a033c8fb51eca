import { InitialSchema1700000000001 } from './1700000000001-initial-schema';
import { ApiTokens1700000000002 } from './1700000000002-api-tokens';
import { JobMetrics1700000000003 } from './1700000000003-job-metrics';
import { TiRunStateIndex1700000000004 } from './1700000000004-ti-run-state-index';
import { DagCodeDefaultsHash1700000000005 } from './1700000000005-dag-code-defaults-hash';
import { PlatformRetries1700000000006 } from './1700000000006-platform-retries';
import { EncryptSecrets1700000000009 } from './1700000000009-encrypt-secrets';
import { DagRunOwner1700000000018 } from './1700000000018-dag-run-owner';
import { AuditLogAndUserProfile1700000000037 } from './1700000000037-audit-log-and-user-profile';

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
  AuditLogAndUserProfile1700000000037,
];
