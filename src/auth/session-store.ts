import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { WebSessionEntity } from '../db/entities/web-session.entity';
import { randomToken, sha256Hex } from './crypto-helpers';
import { TtlCache } from './ttl-cache';
import type { VerifiedUser } from './verify-credentials';

export interface ActiveSession {
  /** SHA-256 of the cookie secret; the primary key of `web_session`. */
  id: string;
  user: VerifiedUser;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Server-side sessions in the `web_session` table: logout and user deletion end a session at
 * once (a stateless token could not be revoked), every web server process sees the same
 * sessions, and a restart keeps them. Lookups are cached a few seconds per process.
 */
export class SessionStore {
  private readonly cache: TtlCache<ActiveSession | null>;

  constructor(
    private readonly ds: DataSource,
    cacheTtlMs = 5_000,
  ) {
    this.cache = new TtlCache(cacheTtlMs);
  }

  /** Start a session; returns the secret for the cookie (only its hash is stored). */
  async create(user: VerifiedUser, lifetimeMs: number, now: Date): Promise<{ secret: string; session: ActiveSession }> {
    const secret = randomToken(32);
    const session: ActiveSession = {
      id: sha256Hex(secret),
      user,
      csrfToken: randomToken(24),
      expiresAt: new Date(now.getTime() + lifetimeMs),
    };
    await this.ds.getRepository(WebSessionEntity).insert({
      id: session.id,
      userId: user.id,
      csrfToken: session.csrfToken,
      createdAt: now,
      expiresAt: session.expiresAt,
    });
    // Housekeeping: logging in is rare, so it is a fine moment to drop expired rows.
    await execSql(this.ds, 'DELETE FROM web_session WHERE expires_at < ?', [now.toISOString()]);
    return { secret, session };
  }

  async find(secret: string, now: Date): Promise<ActiveSession | null> {
    const id = sha256Hex(secret);
    let session = this.cache.get(id);
    if (session === undefined) {
      session = await this.load(id);
      this.cache.set(id, session);
    }
    if (!session || session.expiresAt.getTime() <= now.getTime()) return null;
    return session;
  }

  async destroy(secret: string): Promise<void> {
    const id = sha256Hex(secret);
    this.cache.delete(id);
    await execSql(this.ds, 'DELETE FROM web_session WHERE id = ?', [id]);
  }

  clearCache(): void {
    this.cache.clear();
  }

  private async load(id: string): Promise<ActiveSession | null> {
    const { records } = await execSql<{
      csrf_token: string;
      expires_at: string;
      user_id: number;
      username: string;
      role: string;
    }>(
      this.ds,
      `SELECT s.csrf_token, s.expires_at, u.id AS user_id, u.username, u.role
         FROM web_session s JOIN dagctl_user u ON u.id = s.user_id WHERE s.id = ?`,
      [id],
    );
    const row = records[0];
    if (!row) return null;
    return {
      id,
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
      user: { id: Number(row.user_id), username: row.username, role: row.role },
    };
  }
}
