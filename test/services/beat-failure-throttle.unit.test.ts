import { BeatFailureThrottle } from '../../src/services/beat-failure-throttle';

describe('BeatFailureThrottle', () => {
  it('warns on the first failure, then at most once per interval, and says when beats resume', () => {
    const throttle = new BeatFailureThrottle(30_000);
    // A beat every 200 ms fails for a minute: three warnings (at 0, 30 s and 60 s), not 300.
    const warned: number[] = [];
    for (let t = 0; t <= 60_000; t += 200) if (throttle.failed(t)) warned.push(t);
    expect(warned).toEqual([0, 30_000, 60_000]);
    expect(throttle.succeeded(60_200)).toBe(60_200);
    // Beating again: nothing to say; a new outage warns at once.
    expect(throttle.succeeded(60_400)).toBeNull();
    expect(throttle.failed(60_600)).toBe(true);
    expect(throttle.failed(60_800)).toBe(false);
  });
});
