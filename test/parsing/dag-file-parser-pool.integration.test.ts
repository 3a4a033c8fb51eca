import { DagFileParserPool, ParserPoolClosedError } from '../../src/parsing/dag-file-parser-pool';
import { eventually } from '../helpers/eventually';
import type { DagFolder } from './dag-folder-fixture';
import { parseByName, parserPoolForEachTest } from './parser-pool-fixture';

jest.setTimeout(120_000);

describe('DagFileParserPool (real parser children from dist/)', () => {
  const parsing = parserPoolForEachTest();
  let folder: DagFolder;
  beforeEach(() => {
    ({ folder } = parsing);
  });

  it('turns a crash and a timeout into errors of those files only, and recycles children', async () => {
    const files = [
      folder.write('a.ts', folder.goodDag('a_dag')),
      folder.write('exits.ts', 'process.exit(3);\n'),
      folder.write('b.ts', folder.goodDag('b_dag')),
      folder.write('late_throw.ts', "process.nextTick(() => { throw new Error('late boom'); });\nexport {};\n"),
      folder.write('hangs.ts', 'for (;;) { /* spin */ }\n'),
      folder.write('c.ts', folder.goodDag('c_dag')),
      folder.write('prints.ts', "console.log('noise on stdout');\n" + folder.goodDag('d_dag')),
    ];
    const pool = parsing.pool({ size: 2, importTimeoutMs: 8000, maxFilesPerChild: 2 });
    const byName = await parseByName(pool, files);

    for (const [name, dagId] of [
      ['a.ts', 'a_dag'],
      ['b.ts', 'b_dag'],
      ['c.ts', 'c_dag'],
      ['prints.ts', 'd_dag'],
    ]) {
      expect(byName[name].error).toBeUndefined();
      expect(byName[name].dags.map((d) => d.dagId)).toEqual([dagId]);
      expect(byName[name].source).toContain(dagId);
    }
    expect(byName['exits.ts'].error).toBe('parser process crashed (exit code 3) while importing the file');
    // Thrown just after its import returned: the child answers only after one turn of its event
    // loop, so the crash is blamed on the file that caused it, never on whichever file comes next.
    expect(byName['late_throw.ts'].error).toMatch(/late boom/);
    expect(byName['hangs.ts'].error).toBe('import timed out after 8s');
    // 7 files, at most 2 per child, plus replacements for the crashed and killed ones.
    expect(pool.childrenStarted).toBeGreaterThanOrEqual(4);
  });

  it('shrinks to no child after the idle timeout and starts one again on demand', async () => {
    const idling = parsing.pool({ size: 2, importTimeoutMs: 8000, idleTimeoutMs: 200 });
    const first = await idling.parse(folder.write('a.ts', folder.goodDag('a_dag')));
    expect(first.dags.map((d) => d.dagId)).toEqual(['a_dag']);
    expect(idling.size).toBe(1);
    await eventually(() => expect(idling.size).toBe(0), { what: 'the idle child to exit', timeoutMs: 5_000 });

    const again = await idling.parse(folder.write('b.ts', folder.goodDag('b_dag')));
    expect(again.dags.map((d) => d.dagId)).toEqual(['b_dag']);
    expect(idling.childrenStarted).toBe(2);
  });

  it('rejects pending parses when closed', async () => {
    const hang = folder.write('hangs.ts', 'while (true) {}\n');
    const pool = parsing.pool({ size: 1, importTimeoutMs: 60_000 });
    const pending = pool.parse(hang);
    const queued = pool.parse(folder.write('a.ts', folder.goodDag('a_dag')));
    await pool.close();
    await expect(pending).rejects.toBeInstanceOf(ParserPoolClosedError);
    await expect(queued).rejects.toBeInstanceOf(ParserPoolClosedError);
  });

  it('refuses to start without the compiled child entry', () => {
    expect(
      () => new DagFileParserPool({ entry: '/nonexistent/parse-child-main.js', size: 1, importTimeoutMs: 1000 }),
    ).toThrow(/missing: build dagctl first/);
  });
});
