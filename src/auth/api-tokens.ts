import type { DataSource } from 'typeorm';
import { ApiTokenEntity } from '../db/entities/api-token.entity';
import { execSql } from '../db/sql';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { randomToken, sha256Hex } from './crypto-helpers';
import type { VerifiedUser } from './verify-credentials';

/** Tokens look like `dagctl_<43 url-safe chars>`; the prefix makes leaked ones easy to grep for. */
export const API_TOKEN_PREFIX = 'dagctl_';

export interface ApiTokenInfo {
  id: number;
  name: string;
  token_prefix: string;
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface CreatedApiToken extends ApiTokenInfo {
  /** The secret itself: shown once, never stored. */
  token: string;
}

function info(row: ApiTokenEntity): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    token_prefix: row.tokenPrefix,
    created_at: row.createdAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}

export async function createApiToken(
  ds: DataSource,
  args: { userId: number; name: string; expiresAt?: Date | null; now: Date },
): Promise<CreatedApiToken> {
  const name = args.name.trim();
  if (!name || name.length > 100) throw new InvalidArgumentError('token name must be 1 to 100 characters');
  if (args.expiresAt && args.expiresAt.getTime() <= args.now.getTime())
    throw new InvalidArgumentError('token expires_at must be in the future');
  const token = API_TOKEN_PREFIX + randomToken(32);
  const row = await ds.getRepository(ApiTokenEntity).save({
    userId: args.userId,
    name,
    tokenHash: sha256Hex(token),
    tokenPrefix: token.slice(0, 12),
    createdAt: args.now,
    expiresAt: args.expiresAt ?? null,
    lastUsedAt: null,
  });
  return { ...info(row), token };
}

export async function listApiTokens(ds: DataSource, userId: number): Promise<ApiTokenInfo[]> {
  const rows = await ds.getRepository(ApiTokenEntity).find({ where: { userId }, order: { id: 'ASC' } });
  return rows.map(info);
}

export async function revokeApiToken(ds: DataSource, args: { id: number; userId: number }): Promise<void> {
  const { affected } = await execSql(ds, 'DELETE FROM api_token WHERE id = ? AND user_id = ?', [args.id, args.userId]);
  if (affected === 0) throw new NotFoundError(`API token ${args.id} not found`);
}

/** The user a bearer token belongs to, or null when unknown or expired. */
export async function findApiTokenUser(
  ds: DataSource,
  token: string,
  now: Date,
): Promise<(VerifiedUser & { tokenId: number }) | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const { records } = await execSql<{
    token_id: number;
    expires_at: string | null;
    user_id: number;
    username: string;
    role: string;
  }>(
    ds,
    `SELECT t.id AS token_id, t.expires_at, u.id AS user_id, u.username, u.role
       FROM api_token t JOIN dagctl_user u ON u.id = t.user_id WHERE t.token_hash = ?`,
    [sha256Hex(token)],
  );
  const row = records[0];
  if (!row) return null;
  if (row.expires_at && row.expires_at <= now.toISOString()) return null;
  return { tokenId: Number(row.token_id), id: Number(row.user_id), username: row.username, role: row.role };
}

export async function touchApiToken(ds: DataSource, tokenId: number, now: Date): Promise<void> {
  await execSql(ds, 'UPDATE api_token SET last_used_at = ? WHERE id = ?', [now.toISOString(), tokenId]);
}
