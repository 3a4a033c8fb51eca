import { bullmqPriority, taskJobId } from '../../src/executors/bullmq/bullmq-keys';

describe('bullmq job ids and priorities', () => {
  const key = { dagId: 'etl', runId: 'manual__2026-01-01T00:00:00+00:00', taskId: 'load', mapIndex: -1 };

  it('gives each try one deterministic job id, without the colons BullMQ refuses', () => {
    expect(taskJobId(key, 1)).toBe(taskJobId({ ...key }, 1));
    expect(taskJobId(key, 2)).not.toBe(taskJobId(key, 1));
    expect(taskJobId({ ...key, mapIndex: 3 }, 1)).not.toBe(taskJobId(key, 1));
    expect(taskJobId({ ...key, runId: 'manual__2026-01-01T00:00:00+00:01' }, 1)).not.toBe(taskJobId(key, 1));
    expect(taskJobId(key, 1)).not.toContain(':');
    expect(taskJobId(key, 1)).toMatch(/^etl\.load\.-1\.[0-9a-f]{20}\.t1$/);
  });

  it('maps a higher priority weight to a lower (earlier) BullMQ priority, within BullMQ bounds', () => {
    expect(bullmqPriority(10)).toBeLessThan(bullmqPriority(1));
    expect(bullmqPriority(1)).toBeLessThan(bullmqPriority(-5));
    expect(bullmqPriority(1e12)).toBe(1);
    expect(bullmqPriority(-1e12)).toBe(2_097_151);
    expect(bullmqPriority(Number.NaN)).toBe(bullmqPriority(0));
  });
});
