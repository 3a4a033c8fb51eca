import { describeProcessDeath } from '../../src/runner/describe-process-death';

describe('describeProcessDeath', () => {
  const v8 =
    '\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';

  it('says out of memory when V8 aborted after running out of heap', () => {
    expect(describeProcessDeath(null, 'SIGABRT', v8)).toBe(
      'ran out of memory (JavaScript heap out of memory; killed by SIGABRT)',
    );
    expect(describeProcessDeath(134, null, v8)).toBe(
      'ran out of memory (JavaScript heap out of memory; exit code 134)',
    );
  });

  it('says out of memory for a SIGKILL that dagctl did not send (the kernel OOM killer)', () => {
    expect(describeProcessDeath(null, 'SIGKILL', '')).toMatch(/most likely out of memory/);
  });

  it('names other deaths plainly', () => {
    expect(describeProcessDeath(null, 'SIGABRT', 'assertion failed')).toBe('was killed by SIGABRT');
    expect(describeProcessDeath(3, null, '')).toBe('exited unexpectedly with code 3');
  });
});
