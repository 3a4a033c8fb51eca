import os from 'node:os';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { JobEntity } from '../../src/db/entities';
import { createCliHome, CliHome } from './helpers/dagctl-cli';

jest.setTimeout(180_000);

describe('dagctl jobs check (Airflow flags, built binary)', () => {
  let cli: CliHome;
  let ds: DataSource;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    await cli.ok(['initdb']);
    ds = await openDatabase(cli.db.url);
  });
  afterAll(async () => {
    await ds.destroy();
    await cli.close();
  });

  /** A running job of this host whose pid (this test process) is alive and whose heartbeat is fresh. */
  const aliveJob = (jobType: string): Partial<JobEntity> => ({
    jobType,
    state: 'running',
    hostname: os.hostname(),
    pid: process.pid,
    startDate: new Date(),
    latestHeartbeat: new Date(),
  });

  it('exits 1 when no job is alive: none at all, then only a stale one', async () => {
    const none = await cli.run(['jobs', 'check']);
    expect([none.code, none.stderr.trim()]).toEqual([1, 'error: No alive jobs found.']);

    await ds.getRepository(JobEntity).insert({
      jobType: 'SchedulerJob',
      state: 'running',
      hostname: 'elsewhere.invalid',
      pid: 1,
      startDate: new Date('2026-01-01T00:00:00Z'),
      latestHeartbeat: new Date('2026-01-01T00:00:00Z'),
    });
    expect((await cli.run(['jobs', 'check', '--job-type', 'SchedulerJob'])).code).toBe(1);
  });

  it('exits 0 for one alive job; filters by type and host; more than one needs --allow-multiple', async () => {
    await ds.getRepository(JobEntity).insert(aliveJob('SchedulerJob'));
    const one = await cli.run(['jobs', 'check', '--job-type', 'SchedulerJob']);
    expect([one.code, one.stdout.trim()]).toEqual([0, 'Found one alive job.']);
    expect((await cli.run(['jobs', 'check', '--local'])).code).toBe(0);
    expect((await cli.run(['jobs', 'check', '--hostname', 'elsewhere.invalid'])).code).toBe(1);
    expect((await cli.run(['jobs', 'check', '--job-type', 'WorkerJob'])).code).toBe(1);

    await ds.getRepository(JobEntity).insert(aliveJob('SchedulerJob'));
    const two = await cli.run(['jobs', 'check', '--limit', '5']);
    expect([two.code, two.stderr.trim()]).toEqual([1, 'error: Found 2 alive jobs. Expected only one.']);
    const allowed = await cli.run(['jobs', 'check', '--limit', '5', '--allow-multiple']);
    expect([allowed.code, allowed.stdout.trim()]).toEqual([0, 'Found 2 alive jobs.']);

    const listed = await cli.json<Array<{ job_type: string; alive: boolean }>>([
      'dags',
      'list-jobs',
      '--state',
      'running',
    ]);
    expect(listed.map((job) => job.alive).sort()).toEqual([false, true, true]);
  });

  it('refuses bad flags with exit 2', async () => {
    expect((await cli.run(['jobs', 'check', '--job-type', 'NoSuchJob'])).code).toBe(2);
    expect((await cli.run(['jobs', 'check', '--limit', '0'])).code).toBe(2);
    expect((await cli.run(['jobs', 'check', '--local', '--hostname', 'h'])).code).toBe(2);
  });
});
