import { SECRET_LOOKUP_KINDS, type SecretLookup } from '../../runner/task-process-protocol';

/** A worker's lookup as it sits in Redis. */
export interface SecretRequest {
  id: string;
  lookup: SecretLookup;
  /** Who asks (a worker id), for the scheduler's log. */
  from: string;
}

/** The scheduler's answer: the value (null when there is none) or a one-line error. */
export type SecretReply = { value: unknown } | { error: string };

export function isSecretRequest(value: unknown): value is SecretRequest {
  const request = value as Partial<SecretRequest> | null;
  const kind = (request?.lookup as { kind?: unknown } | undefined)?.kind;
  return (
    typeof request?.id === 'string' &&
    /^[A-Za-z0-9-]{1,64}$/.test(request.id) &&
    typeof kind === 'string' &&
    SECRET_LOOKUP_KINDS.includes(kind)
  );
}
