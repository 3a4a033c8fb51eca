import { DAG } from '../../src/authoring/dag';
import { FunctionSensor } from '../../src/authoring/operators/function-sensor';
import { TaskRescheduled } from '../../src/core/task-signals';
import { signalOf } from '../../src/core/task-signals';
import { fakeTaskContext } from './helpers/fake-task-context';

describe('FunctionSensor', () => {
  const dag = new DAG('sensors');
  let n = 0;
  const sensor = (options: Record<string, unknown>): FunctionSensor =>
    new FunctionSensor({ taskId: `s${n++}`, dag, ...options } as never);

  test('options: defaults and normalization', () => {
    const plain = sensor({ fn: () => true });
    expect(plain).toMatchObject({
      pokeIntervalMs: 60_000,
      timeoutMs: 7 * 86_400_000,
      mode: 'poke',
      softFail: false,
      isSensor: true,
    });
    expect(
      sensor({ fn: () => true, pokeInterval: '5s', timeout: '1m', mode: 'reschedule', softFail: true }),
    ).toMatchObject({
      pokeIntervalMs: 5000,
      timeoutMs: 60_000,
      mode: 'reschedule',
      softFail: true,
    });
    expect(() => sensor({ fn: () => true, mode: 'wait' })).toThrow(
      "DAG 'sensors', task 's2': option 'mode' must be 'poke' or 'reschedule'",
    );
    expect(() => sensor({ fn: () => true, pokeInterval: 'often' })).toThrow(
      "DAG 'sensors', task 's3': pokeInterval: cannot parse 'often'",
    );
    expect(() => sensor({ fn: () => true, timeout: '1m', pokeEvery: '1s' })).toThrow("unknown option 'pokeEvery'");
  });

  test('poke mode pokes until the condition holds', async () => {
    let pokes = 0;
    const task = sensor({ fn: async () => ++pokes >= 3, pokeInterval: 10, timeout: '1m' });
    const ctx = fakeTaskContext();
    await expect(task.execute(ctx)).resolves.toBeUndefined();
    expect(pokes).toBe(3);
    expect(ctx.logLines.filter((l) => l.includes('poking again'))).toHaveLength(2);
  });

  test('a poke may hand over an XCom value', async () => {
    const task = sensor({ fn: () => ({ done: true, xcomValue: { file: 'a.csv' } }), pokeInterval: 10 });
    const result = await task.execute(fakeTaskContext());
    expect(task.toOutcome(result)).toEqual({ xcoms: { return_value: { file: 'a.csv' } } });
  });

  test('timeout fails without retry, or skips with softFail', async () => {
    const hard = await sensor({ fn: () => false, pokeInterval: 10, timeout: 50 })
      .execute(fakeTaskContext())
      .catch((e: unknown) => e);
    expect(signalOf(hard)).toBe('fail-no-retry');
    expect(hard).toHaveProperty('message', expect.stringMatching(/^Sensor has timed out/));
    const soft = await sensor({ fn: () => false, pokeInterval: 10, timeout: 50, softFail: true })
      .execute(fakeTaskContext())
      .catch((e: unknown) => e);
    expect(signalOf(soft)).toBe('skip');
  });

  test('reschedule mode pokes once per try and asks to be rescheduled', async () => {
    let pokes = 0;
    const task = sensor({ fn: () => (++pokes, false), pokeInterval: '30s', timeout: '1h', mode: 'reschedule' });
    const before = Date.now();
    const err = await task.execute(fakeTaskContext({ firstRescheduleDate: new Date() })).catch((e: unknown) => e);
    expect(pokes).toBe(1);
    expect(err).toBeInstanceOf(TaskRescheduled);
    const at = (err as TaskRescheduled).rescheduleAt.getTime();
    expect(at).toBeGreaterThanOrEqual(before + 30_000);
    expect(at).toBeLessThan(Date.now() + 30_000 + 1000);
  });

  test('reschedule mode counts the timeout from the first reschedule date', async () => {
    const task = sensor({ fn: () => false, pokeInterval: '30s', timeout: '1h', mode: 'reschedule' });
    const err = await task
      .execute(fakeTaskContext({ firstRescheduleDate: new Date(Date.now() - 2 * 3_600_000) }))
      .catch((e: unknown) => e);
    expect(signalOf(err)).toBe('fail-no-retry');
  });

  test('an abort stops a poking sensor', async () => {
    const controller = new AbortController();
    const running = sensor({ fn: () => false, pokeInterval: '1h', timeout: '2h' }).execute(
      fakeTaskContext({ signal: controller.signal }),
    );
    controller.abort(new Error('shutdown'));
    await expect(running).rejects.toThrow('Sensor stopped: shutdown');
  });
});
