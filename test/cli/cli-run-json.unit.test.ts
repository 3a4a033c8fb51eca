import { dagRunJson } from '../../src/cli/json-shapes';
import { DagRunEntity } from '../../src/db/entities';

describe('dagRunJson (the CLI shape of a run)', () => {
  it('masks values under sensitive keys of the conf, configured words included (contract §6)', () => {
    const run = Object.assign(new DagRunEntity(), {
      dagId: 'd',
      runId: 'manual__1',
      state: 'queued',
      runType: 'manual',
      logicalDate: new Date('2026-03-04T00:00:00Z'),
      externalTrigger: true,
      conf: { table: 'sales', api_token: 'tok-1', deep: [{ corp_word: 'w-2' }] },
    });
    expect(dagRunJson(run, ['corp_word']).conf).toEqual({
      table: 'sales',
      api_token: '***',
      deep: [{ corp_word: '***' }],
    });
    expect(dagRunJson(run, []).conf).toEqual({ table: 'sales', api_token: '***', deep: [{ corp_word: 'w-2' }] });
  });
});
