import { PublishPacer } from '../../src/metrics/publish-pacer';

describe('PublishPacer (metrics publishing takes a bounded share of the scheduler)', () => {
  it('publishes on every heartbeat while a publish is cheap', () => {
    const pacer = new PublishPacer(0.02);
    for (let beat = 0; beat < 5; beat += 1) {
      const at = beat * 5_000;
      expect(pacer.due(at)).toBe(true);
      pacer.published(at, at + 3); // 3 ms: the next may start 150 ms later
    }
  });

  it('waits 50 times as long as an expensive publish took (2 %)', () => {
    const pacer = new PublishPacer(0.02);
    pacer.published(0, 500);
    expect(pacer.due(5_000)).toBe(false);
    expect(pacer.due(25_499)).toBe(false);
    expect(pacer.due(25_500)).toBe(true);
  });

  it('never waits longer than maxWaitMs, however long a publish took', () => {
    const pacer = new PublishPacer(0.02, 60_000);
    pacer.published(0, 10_000);
    expect(pacer.due(69_999)).toBe(false);
    expect(pacer.due(70_000)).toBe(true);
  });
});
