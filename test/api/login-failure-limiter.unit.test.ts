import { LoginFailureLimiter } from '../../src/auth/login-failure-limiter';

describe('LoginFailureLimiter', () => {
  it('says whether any failure is remembered, and refuses a pair only past its limit', () => {
    let now = 0;
    const limiter = new LoginFailureLimiter({ windowMs: 60_000, limit: 2 }, () => now);
    expect(limiter.hasFailures()).toBe(false);
    limiter.recordFailure('Op', '10.0.0.1');
    expect(limiter.hasFailures()).toBe(true);
    expect(limiter.retryAfterSeconds('op', '10.0.0.1')).toBe(0);
    limiter.recordFailure('op', '10.0.0.1');
    expect(limiter.retryAfterSeconds('op', '10.0.0.1')).toBe(60);
    expect(limiter.retryAfterSeconds('op', '10.0.0.2')).toBe(0);
    now = 60_000;
    expect(limiter.retryAfterSeconds('op', '10.0.0.1')).toBe(0);
    // The window is over and was looked up: forgotten, so no failure is remembered any more.
    expect(limiter.hasFailures()).toBe(false);
  });
});
