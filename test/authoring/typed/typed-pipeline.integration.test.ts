import { runTypedPipelineSuite } from './helpers/typed-pipeline-suite';

jest.setTimeout(200_000);

describe('typed pipeline with the local executor (forked task processes)', () => {
  runTypedPipelineSuite({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
  });
});
