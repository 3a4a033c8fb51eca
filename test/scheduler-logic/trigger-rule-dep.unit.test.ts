import { TaskStateOrNone, TriggerRule, TRIGGER_RULES } from '../../src/core/states';
import { evaluateTriggerRule, TriggerRuleDecision } from '../../src/scheduler/deps/trigger-rule-dep';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';

/** One letter per upstream state so the matrix below reads as a table. */
const STATE_BY_LETTER: Record<string, TaskStateOrNone> = {
  s: 'success',
  f: 'failed',
  k: 'skipped',
  u: 'upstream_failed',
  r: 'removed',
  n: null,
  R: 'running',
  Q: 'queued',
  S: 'scheduled',
  Y: 'up_for_retry',
  Z: 'up_for_reschedule',
};
const KIND_BY_LETTER: Record<string, TriggerRuleDecision['kind']> = {
  R: 'run',
  W: 'wait',
  S: 'skip',
  U: 'upstream_failed',
};
const RULE_COLUMNS: TriggerRule[] = [
  'all_success',
  'all_failed',
  'all_done',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
  // Without upstream setup tasks it is all_done (its setup cases: setup-teardown.unit.test.ts).
  'all_done_setup_success',
];

// upstream states → expected decision per rule, in RULE_COLUMNS order.
// R = run, W = wait, S = skipped, U = upstream_failed.
//  upstream     a_suc a_fai a_don a_ski 1_suc 1_fai 1_don n_fai nfmos n_ski alway adss
const MATRIX: Array<[string, string]> = [
  ['', 'R R R R R R R R R R R R'],
  ['s', 'R S R S R S R R R R R R'],
  ['f', 'U R R S U R R U U R R R'],
  ['k', 'S S R R S S S R S S R R'],
  ['u', 'U R R S U R S U U R R R'],
  ['n', 'W W W W W W W W W W R W'],
  ['sss', 'R S R S R S R R R R R R'],
  ['fff', 'U R R S U R R U U R R R'],
  ['kkk', 'S S R R S S S R S S R R'],
  ['uuu', 'U R R S U R S U U R R R'],
  ['sf', 'U S R S R R R U U R R R'],
  ['sk', 'S S R S R S R R R S R R'],
  ['fk', 'U S R S U R R U U S R R'],
  ['ku', 'U S R S U R S U U S R R'],
  ['fu', 'U R R S U R R U U R R R'],
  ['su', 'U S R S R R R U U R R R'],
  ['ssfku', 'U S R S R R R U U S R R'],
  ['sn', 'W S W S R W R W W W R W'],
  ['fR', 'U W W S W R R U U W R W'],
  ['kQ', 'S S W W W W W W W S R W'],
  ['uY', 'U W W S W R W U U W R W'],
  ['fn', 'U W W S W R R U U W R W'],
  ['kn', 'S S W W W W W W W S R W'],
  ['un', 'U W W S W R W U U W R W'],
  ['nn', 'W W W W W W W W W W R W'],
  ['RQSYZ', 'W W W W W W W W W W R W'],
  ['sZS', 'W S W S R W R W W W R W'],
  ['kkn', 'S S W W W W W W W S R W'],
  ['uun', 'U W W S W R W U U W R W'],
  ['ffn', 'U W W S W R R U U W R W'],
  ['ssn', 'W S W S R W R W W W R W'],
  ['ssr', 'R S R S R S R R R R R R'],
  ['kr', 'S S R R S S S R S S R R'],
  ['fr', 'U R R S U R R U U R R R'],
  ['rr', 'R R R R R R R R R R R R'],
  ['rn', 'W W W W W W W W W W R W'],
];

const cases = MATRIX.flatMap(([upstream, expected]) => {
  const kinds = expected.split(' ');
  return RULE_COLUMNS.map((rule, i) => [rule, upstream, KIND_BY_LETTER[kinds[i]]] as const);
});

describe('evaluateTriggerRule matrix', () => {
  test('the matrix has one column per trigger rule', () => {
    expect([...RULE_COLUMNS].sort()).toEqual([...TRIGGER_RULES].sort());
    for (const [, expected] of MATRIX) expect(expected.split(' ')).toHaveLength(RULE_COLUMNS.length);
  });

  test.each(cases)('%s with upstream [%s] → %s', (rule, upstream, kind) => {
    const states = [...upstream].map((letter) => STATE_BY_LETTER[letter]);
    const decision = evaluateTriggerRule(rule, countUpstream(states));
    expect(decision.kind).toBe(kind);
    expect(decision.reason.length).toBeGreaterThan(0);
  });
});

describe('countUpstream', () => {
  test('counts every state and treats removed as done', () => {
    expect(
      countUpstream([
        'success',
        'success',
        'failed',
        'skipped',
        'upstream_failed',
        'removed',
        null,
        'running',
        'up_for_retry',
      ]),
    ).toEqual({
      total: 9,
      success: 2,
      skipped: 1,
      failed: 1,
      upstreamFailed: 1,
      removed: 1,
      done: 6,
    });
  });

  test('no upstream tasks', () => {
    expect(countUpstream([])).toEqual({
      total: 0,
      success: 0,
      skipped: 0,
      failed: 0,
      upstreamFailed: 0,
      removed: 0,
      done: 0,
    });
  });
});

describe('evaluateTriggerRule invariants over every combination of up to 3 upstream states', () => {
  const letters = Object.keys(STATE_BY_LETTER);
  const combos: string[] = [''];
  for (let size = 1; size <= 3; size++) {
    for (const prefix of combos.filter((c) => c.length === size - 1)) for (const l of letters) combos.push(prefix + l);
  }
  const finished = new Set(['s', 'f', 'k', 'u', 'r']);

  test('always runs; never waits once everything finished; decisive states never depend on order', () => {
    let checked = 0;
    for (const combo of combos) {
      const states = [...combo].map((l) => STATE_BY_LETTER[l]);
      const reversed = [...states].reverse();
      for (const rule of TRIGGER_RULES) {
        const decision = evaluateTriggerRule(rule, countUpstream(states));
        if (rule === 'always') expect(decision.kind).toBe('run');
        if ([...combo].every((l) => finished.has(l))) expect(decision.kind).not.toBe('wait');
        expect(evaluateTriggerRule(rule, countUpstream(reversed)).kind).toBe(decision.kind);
        checked++;
      }
    }
    expect(checked).toBe(combos.length * TRIGGER_RULES.length);
  });

  test('a task whose upstream tasks have not started only waits (except always)', () => {
    for (const rule of TRIGGER_RULES.filter((r) => r !== 'always')) {
      expect(evaluateTriggerRule(rule, countUpstream([null, 'queued', 'running'])).kind).toBe('wait');
    }
  });
});

describe('reasons name the counts', () => {
  const decide = (rule: TriggerRule, letters: string): string =>
    evaluateTriggerRule(rule, countUpstream([...letters].map((l) => STATE_BY_LETTER[l]))).reason;

  test.each([
    ['all_success', 'sfs', 'all_success: 1 of 3 upstream tasks failed'],
    ['all_success', 'sus', 'all_success: 1 of 3 upstream tasks failed (1 upstream_failed)'],
    ['all_success', 'sks', 'all_success: 1 of 3 upstream tasks skipped'],
    ['all_success', 'ss', 'all_success: all 2 upstream tasks succeeded'],
    ['all_success', 'snn', 'all_success: waiting for 2 of 3 upstream tasks to finish'],
    ['one_success', 'fk', 'one_success: none of 2 upstream tasks succeeded (1 failed, 1 skipped)'],
    ['one_failed', 'ss', 'one_failed: all 2 upstream tasks finished and none failed'],
    ['one_done', 'ku', 'one_done: all 2 upstream tasks were skipped or upstream_failed'],
    ['none_failed_min_one_success', 'kk', 'none_failed_min_one_success: all 2 upstream tasks were skipped'],
    ['all_done', '', 'all_done: no upstream tasks'],
  ] as Array<[TriggerRule, string, string]>)('%s [%s]', (rule, letters, reason) => {
    expect(decide(rule, letters)).toBe(reason);
  });
});
