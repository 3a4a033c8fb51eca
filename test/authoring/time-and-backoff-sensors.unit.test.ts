import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAG } from '../../src/authoring/dag';
import { DateTimeSensor } from '../../src/authoring/operators/date-time-sensor';
import { ExternalTaskSensor } from '../../src/authoring/operators/external-task-sensor';
import { FileSensor } from '../../src/authoring/operators/file-sensor';
import { FunctionSensor } from '../../src/authoring/operators/function-sensor';
import { exponentialBackoffMs, pokeNumberFromElapsed } from '../../src/authoring/operators/sensor-backoff';
import { TimeDeltaSensor } from '../../src/authoring/operators/time-delta-sensor';
import { TriggerDagRunOperator } from '../../src/authoring/operators/trigger-dag-run-operator';
import { TaskRescheduled } from '../../src/core/task-signals';
import { fakeTaskContext } from './helpers/fake-task-context';

const dag = new DAG('time_sensors');
let n = 0;
const id = (): string => `t${n++}`;

/** A sensor whose clock the test sets (the sensors read time through `now()`). */
function withClock<T extends object>(sensor: T, clock: { ms: number }): T {
  Object.defineProperty(sensor, 'now', { value: () => clock.ms });
  return sensor;
}

describe('exponential backoff (Airflow formula)', () => {
  const base = {
    dagId: 'd',
    taskId: 't',
    pokeIntervalMs: 10_000,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    elapsedMs: 0,
    timeoutMs: 86_400_000,
    maxWaitMs: null,
  };

  test('poke n waits in [p·2^(n-2), p·2^(n-1)) whole seconds, seeded so it repeats', () => {
    for (let pokeNumber = 1; pokeNumber <= 8; pokeNumber++) {
      const wait = exponentialBackoffMs({ ...base, pokeNumber });
      const low = Math.max(Math.trunc(10 * 2 ** (pokeNumber - 2)), 1) * 1000;
      expect(wait).toBeGreaterThanOrEqual(low);
      expect(wait).toBeLessThan(2 * low);
      expect(wait % 1000).toBe(0);
      expect(exponentialBackoffMs({ ...base, pokeNumber })).toBe(wait);
    }
  });

  test('capped by maxWait and by the time left before the timeout', () => {
    expect(exponentialBackoffMs({ ...base, pokeNumber: 10, maxWaitMs: 60_000 })).toBe(60_000);
    expect(exponentialBackoffMs({ ...base, pokeNumber: 10, timeoutMs: 100_000, elapsedMs: 95_000 })).toBe(5000);
  });

  test('the jitter differs between tasks started together', () => {
    const waits = new Set(
      Array.from({ length: 20 }, (_, i) => exponentialBackoffMs({ ...base, taskId: `t${i}`, pokeNumber: 6 })),
    );
    expect(waits.size).toBeGreaterThan(1);
  });

  test('reschedule mode recovers the poke number from the time waited', () => {
    let elapsed = 0;
    for (let pokeNumber = 1; pokeNumber <= 10; pokeNumber++) {
      expect(pokeNumberFromElapsed(elapsed, 10_000)).toBe(pokeNumber);
      elapsed += exponentialBackoffMs({ ...base, pokeNumber });
    }
  });

  test('a sensor with exponentialBackoff reschedules further out after each poke', async () => {
    const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const sensor = withClock(
      new FunctionSensor({
        taskId: id(),
        dag,
        fn: () => false,
        mode: 'reschedule',
        pokeInterval: '10s',
        exponentialBackoff: true,
        maxWait: '5m',
      }),
      clock,
    );
    const start = new Date(clock.ms);
    const waits: number[] = [];
    let first: Date | null = null;
    for (let i = 0; i < 8; i++) {
      const err = await sensor.execute(fakeTaskContext({ firstRescheduleDate: first })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskRescheduled);
      const at = (err as TaskRescheduled).rescheduleAt.getTime();
      waits.push(at - clock.ms);
      first ??= start;
      clock.ms = at;
    }
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1] / 2);
    expect(waits[5]).toBeGreaterThan(waits[0]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(300_000);
  });
});

describe('TimeDeltaSensor and DateTimeSensor with a set clock', () => {
  test('TimeDeltaSensor waits for delta after the data interval end', () => {
    const clock = { ms: Date.parse('2026-01-03T00:30:00Z') };
    const sensor = withClock(new TimeDeltaSensor({ taskId: id(), dag, delta: '1h' }), clock);
    const ctx = fakeTaskContext({ dataIntervalEnd: new Date('2026-01-03T00:00:00Z') });
    expect(sensor.targetTime(ctx).toISOString()).toBe('2026-01-03T01:00:00.000Z');
    expect(sensor.poke(ctx)).toBe(false);
    clock.ms = Date.parse('2026-01-03T01:00:01Z');
    expect(sensor.poke(ctx)).toBe(true);
  });

  test('DateTimeSensor compares with its (rendered) target time; a bad one fails', () => {
    const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const sensor = withClock(new DateTimeSensor({ taskId: id(), dag, targetTime: '2026-01-02T00:00:00Z' }), clock);
    expect(sensor.poke(fakeTaskContext())).toBe(false);
    clock.ms = Date.parse('2026-01-02T00:00:01Z');
    expect(sensor.poke(fakeTaskContext())).toBe(true);
    expect(sensor.templateFields).toEqual(['targetTime']);
    const rendered = sensor.withRenderedFields({ targetTime: 'not a date' });
    expect(() => rendered.poke(fakeTaskContext())).toThrow('targetTime "not a date" is not a date');
  });
});

describe('FileSensor', () => {
  test('a glob matches a file, or a folder holding a file; ** needs recursive', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'file-sensor-'));
    try {
      const flat = new FileSensor({ taskId: id(), dag, filepath: `${folder}/*.csv` });
      const deep = new FileSensor({ taskId: id(), dag, filepath: `${folder}/**/*.json`, recursive: true });
      const shallow = new FileSensor({ taskId: id(), dag, filepath: `${folder}/**/*.json` });
      const dir = new FileSensor({ taskId: id(), dag, filepath: `${folder}/sub` });
      expect(await flat.poke(fakeTaskContext())).toBe(false);
      fs.writeFileSync(path.join(folder, 'a.csv'), '');
      expect(await flat.poke(fakeTaskContext())).toBe(true);
      fs.mkdirSync(path.join(folder, 'sub', 'deeper'), { recursive: true });
      expect(await dir.poke(fakeTaskContext())).toBe(false);
      fs.writeFileSync(path.join(folder, 'sub', 'deeper', 'x.json'), '{}');
      expect(await dir.poke(fakeTaskContext())).toBe(true);
      expect(await deep.poke(fakeTaskContext())).toBe(true);
      expect(await shallow.poke(fakeTaskContext())).toBe(false);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('cross-DAG operator options', () => {
  test('ExternalTaskSensor checks its states and shifts the logical date', () => {
    const sensor = new ExternalTaskSensor({ taskId: id(), dag, externalDagId: 'up', executionDelta: '1d' });
    expect(sensor.targetDates(fakeTaskContext()).map((d) => d.toISOString())).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(
      () => new ExternalTaskSensor({ taskId: id(), dag, externalDagId: 'up', allowedStates: ['upstream_failed'] }),
    ).toThrow("'upstream_failed', not a DAG run state");
    expect(
      () =>
        new ExternalTaskSensor({
          taskId: id(),
          dag,
          externalDagId: 'up',
          externalTaskId: 'a',
          allowedStates: ['success', 'failed'],
          failedStates: ['failed'],
        }),
    ).toThrow('failed cannot be both an allowed state and a failed or skipped one');
  });

  test('TriggerDagRunOperator refuses run states it cannot reach and a bad conf', () => {
    expect(
      () => new TriggerDagRunOperator({ taskId: id(), dag, triggerDagId: 'x', failedStates: ['skipped'] }),
    ).toThrow("'skipped', not a DAG run state");
    expect(() => new TriggerDagRunOperator({ taskId: id(), dag, triggerDagId: 'x', conf: [] as never })).toThrow(
      "option 'conf' must be an object",
    );
  });
});
