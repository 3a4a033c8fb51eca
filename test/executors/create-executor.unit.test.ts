import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { UserError } from '../../src/core/errors';
import { childEnvFor } from '../../src/executors/child-env';
import { createExecutor } from '../../src/executors/create-executor';
import { LocalExecutor } from '../../src/executors/local-executor';
import { SequentialExecutor } from '../../src/executors/sequential-executor';

describe('createExecutor', () => {
  const home = path.join('/tmp', 'dagctl-create-executor-home');
  const config = loadConfig({ DAGCTL_HOME: home, DAGCTL__CORE__PARALLELISM: '3', DAGCTL__LOCAL__MODE: 'fork' }, home);

  it('builds the local and sequential executors from the config without starting processes', async () => {
    const local = createExecutor('local', config);
    expect(local).toBeInstanceOf(LocalExecutor);
    expect(local.name).toBe('local');
    expect(local.slotsAvailable()).toBe(3);
    expect((local as LocalExecutor).processPids()).toEqual([]);
    const sequential = createExecutor('sequential', config);
    expect(sequential).toBeInstanceOf(SequentialExecutor);
    expect(sequential.slotsAvailable()).toBe(1);
    await local.terminate();
    await sequential.terminate();
  });

  it('rejects an unknown executor with a one-line reason', () => {
    expect(() => createExecutor('celery', config)).toThrow(UserError);
    expect(() => createExecutor('celery', config)).toThrow(
      "unknown executor 'celery': expected sequential, local or bullmq",
    );
  });

  it('hands children DAGCTL_HOME and every resolved config key, replacing stray DAGCTL__ variables', () => {
    const env = childEnvFor(config, { PATH: '/bin', DAGCTL__CORE__PARALLELISM: '99', DAGCTL__NOPE__X: '1' });
    expect(env.PATH).toBe('/bin');
    expect(env.DAGCTL_HOME).toBe(home);
    expect(env.DAGCTL__CORE__PARALLELISM).toBe('3');
    expect(env.DAGCTL__LOCAL__MODE).toBe('fork');
    expect(env.DAGCTL__NOPE__X).toBeUndefined();
    const reloaded = loadConfig(env, '/');
    const { configFile: _a, ...expected } = config;
    const { configFile: _b, ...actual } = reloaded;
    expect(actual).toEqual(expected);
  });
});
