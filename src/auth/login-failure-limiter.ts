/**
 * Counts failed logins per (username, client address) and refuses further attempts for that pair
 * once `limit` failures fall within `windowMs`. Keying on the pair, not the address alone, means a
 * guesser behind a shared proxy locks out only the account it guesses at, from its own address:
 * everyone else behind that proxy, and the same user elsewhere, still log in. Shared by the login
 * form and Basic auth, so switching between them gains a guesser nothing.
 */
export interface LoginRateLimit {
  windowMs: number;
  /** Failed logins allowed per (username, client address) per window. */
  limit: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { windowMs: 15 * 60_000, limit: 20 };

/** Keys remembered at most (each a few dozen bytes); beyond it expired windows are dropped first. */
const MAX_KEYS = 100_000;

export class LoginFailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limits: LoginRateLimit = DEFAULT_LOGIN_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(username: string, clientIp: string): string {
    return `${username.toLowerCase()}\0${clientIp}`;
  }

  /** Whether any failure is remembered: when none is, every pair may try and no key need be built. */
  hasFailures(): boolean {
    return this.failures.size > 0;
  }

  /** Seconds until `username` may try again from `clientIp`, or 0 when it may try now. */
  retryAfterSeconds(username: string, clientIp: string): number {
    const key = LoginFailureLimiter.key(username, clientIp);
    const entry = this.failures.get(key);
    if (!entry) return 0;
    const left = entry.resetAt - this.now();
    if (left <= 0) {
      // Its window is over: forgotten, so hasFailures() turns false again once all windows are.
      this.failures.delete(key);
      return 0;
    }
    if (entry.count < this.limits.limit) return 0;
    return Math.max(1, Math.ceil(left / 1000));
  }

  recordFailure(username: string, clientIp: string): void {
    const key = LoginFailureLimiter.key(username, clientIp);
    const now = this.now();
    const entry = this.failures.get(key);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.failures.size >= MAX_KEYS) this.prune(now);
    this.failures.set(key, { count: 1, resetAt: now + this.limits.windowMs });
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
    // Still full (a flood of distinct names): forget the oldest windows rather than grow without bound.
    for (const key of this.failures.keys()) {
      if (this.failures.size < MAX_KEYS) break;
      this.failures.delete(key);
    }
  }
}
