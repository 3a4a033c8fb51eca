import { shortFormOf } from '../../src/authoring/returned-value-log';

describe('shortFormOf (the "Returned value" log line)', () => {
  it('is JSON for JSON values and one line for others', () => {
    expect(shortFormOf({ rows: 3 })).toBe('{"rows":3}');
    expect(shortFormOf('done')).toBe('"done"');
    expect(shortFormOf(undefined)).toBe('undefined');
    expect(shortFormOf(10n)).toBe('10n');
  });

  it('cuts long values at 200 characters and says how long they were', () => {
    const text = shortFormOf({ data: 'x'.repeat(500) });
    expect(text.startsWith('{"data":"xxx')).toBe(true);
    expect(text).toMatch(/^.{200}… \(511 chars\)$/);
  });
});
