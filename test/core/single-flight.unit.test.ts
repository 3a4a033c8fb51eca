import { SingleFlight } from '../../src/core/single-flight';

describe('SingleFlight', () => {
  it('runs the work once for concurrent calls with one key, and again once it settled', async () => {
    const flights = new SingleFlight<string, number>();
    let calls = 0;
    let release: (value: number) => void = () => undefined;
    const work = () => {
      calls += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const joined = Array.from({ length: 50 }, () => flights.run('alice', work));
    expect(calls).toBe(1);
    release(7);
    expect(await Promise.all(joined)).toEqual(Array(50).fill(7));
    expect(flights.size).toBe(0);
    const again = flights.run('alice', work);
    expect(calls).toBe(2);
    release(8);
    expect(await again).toBe(8);
  });

  it('keeps keys apart and passes a failure to every caller, then forgets it', async () => {
    const flights = new SingleFlight<string, number>();
    let calls = 0;
    const fail = () => {
      calls += 1;
      return Promise.reject(new Error('boom'));
    };
    const both = [flights.run('a', fail), flights.run('a', fail), flights.run('b', fail)];
    expect(calls).toBe(2);
    for (const flight of both) await expect(flight).rejects.toThrow('boom');
    expect(flights.size).toBe(0);
  });
});
