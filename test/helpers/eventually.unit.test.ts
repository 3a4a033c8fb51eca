import { errorMessage } from '../../src/core/errors';
import { eventually, GiveUp } from './eventually';

describe('eventually', () => {
  it('returns the value of the first check that holds: a predicate, an assertion or a getter', async () => {
    let calls = 0;
    expect(await eventually(() => ++calls === 3, { intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);

    let n = 0;
    await eventually(
      () => {
        n += 1;
        expect(n).toBeGreaterThanOrEqual(2);
      },
      { intervalMs: 1 },
    );
    expect(n).toBe(2);

    const rows: string[] = [];
    const found = await eventually(
      async () => {
        rows.push('r');
        if (rows.length < 2) throw new Error(`only ${rows.length} row`);
        return rows.length;
      },
      { intervalMs: 1 },
    );
    expect(found).toBe(2);
  });

  it('fails after the timeout naming what it waited for and the last failure', async () => {
    const seen: number[] = [];
    const error = await eventually(
      () => {
        seen.push(seen.length);
        expect(seen.length).toBe(0);
      },
      { timeoutMs: 30, intervalMs: 1, what: 'the queue to drain' },
    ).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect(errorMessage(error)).toMatch(
      /^eventually: the queue to drain did not hold within 30 ms \(\d+ attempts\); last failure: .*toBe/s,
    );
    expect(errorMessage(error)).toContain(`Received: ${seen.length}`);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('says so when the last check returned false', async () => {
    await expect(eventually(() => false, { timeoutMs: 5, intervalMs: 1 })).rejects.toThrow(
      /the check did not hold within 5 ms .*last failure: the last check returned false/,
    );
  });

  it('stops at once on GiveUp', async () => {
    let calls = 0;
    await expect(
      eventually(
        () => {
          calls += 1;
          throw new GiveUp('the scheduler exited');
        },
        { timeoutMs: 60_000 },
      ),
    ).rejects.toThrow('the scheduler exited');
    expect(calls).toBe(1);
  });
});
