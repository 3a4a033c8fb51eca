import type { DagFolder } from './dag-folder-fixture';
import { parseByName, parserPoolForEachTest } from './parser-pool-fixture';

jest.setTimeout(120_000);

/** Grows an array of big arrays until the heap is full. */
const EATS_MEMORY = 'const hog: string[][] = [];\nfor (;;) hog.push(new Array(1_000_000).fill("x"));\nexport {};\n';

describe('parser heap limit (scheduler.parser_max_heap, real parser children from dist/)', () => {
  const parsing = parserPoolForEachTest();
  let folder: DagFolder;
  beforeEach(() => {
    ({ folder } = parsing);
  });

  it('turns a file that eats memory into an out-of-memory import error, long before the import timeout', async () => {
    const files = [
      folder.write('a.ts', folder.goodDag('a_dag')),
      folder.write('eats_memory.ts', EATS_MEMORY),
      folder.write('b.ts', folder.goodDag('b_dag')),
      // Only saying V8's words is not dying of them.
      folder.write('says_oom.ts', "console.error('FATAL ERROR: JavaScript heap out of memory');\nprocess.exit(3);\n"),
      folder.write('c.ts', folder.goodDag('c_dag')),
    ];
    // One child, so the good files after the hog are parsed by its replacement; the timeout is
    // far away, so an out-of-memory error can only come from the heap cap.
    const pool = parsing.pool({ size: 1, importTimeoutMs: 110_000, maxHeapMb: 64 });
    const byName = await parseByName(pool, files);

    expect(byName['eats_memory.ts'].error).toBe(
      'the file ran out of memory while importing (parser heap limit 64 MB, scheduler.parser_max_heap)',
    );
    expect(byName['eats_memory.ts'].dags).toEqual([]);
    expect(byName['says_oom.ts'].error).toBe('parser process crashed (exit code 3) while importing the file');
    for (const [name, dagId] of [
      ['a.ts', 'a_dag'],
      ['b.ts', 'b_dag'],
      ['c.ts', 'c_dag'],
    ]) {
      expect(byName[name].error).toBeUndefined();
      expect(byName[name].dags.map((d) => d.dagId)).toEqual([dagId]);
    }
    // The dead children were replaced.
    expect(pool.childrenStarted).toBe(3);
  });
});
