import { rendersUnchanged } from '../../src/runner/render-templates';

describe('rendersUnchanged (a try skips rendering only when it would change nothing)', () => {
  it('is true for plain strings, numbers, booleans, null and undefined', () => {
    expect(rendersUnchanged([])).toBe(true);
    expect(rendersUnchanged(['echo hi', 3, true, null, undefined])).toBe(true);
  });

  it.each([['{{ ds }}'], ['{% if x %}y{% endif %}'], ['{# note #}']])('is false for a template string %s', (text) => {
    expect(rendersUnchanged(['plain', text])).toBe(false);
  });

  it('is false for arrays and objects, even without templates: each try renders its own copy', () => {
    expect(rendersUnchanged([[]])).toBe(false);
    expect(rendersUnchanged([{ a: 1 }])).toBe(false);
    expect(rendersUnchanged([new Date(0)])).toBe(false);
  });
});
