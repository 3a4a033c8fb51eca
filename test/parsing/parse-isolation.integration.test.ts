import fs from 'node:fs';
import path from 'node:path';
import type { DagFileParserPool } from '../../src/parsing/dag-file-parser-pool';
import { eventually } from '../helpers/eventually';
import type { DagFolder } from './dag-folder-fixture';
import { parseByName, parserPoolForEachTest } from './parser-pool-fixture';

jest.setTimeout(120_000);

/** A process that exists and is not a zombie (an orphan may wait a while for init to reap it). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('parsing isolation (real parser children from dist/)', () => {
  const parsing = parserPoolForEachTest();
  let folder: DagFolder;
  beforeEach(() => {
    ({ folder } = parsing);
  });
  /** One child, so every file is parsed right after the one before it, in the same child if it is clean. */
  const onePool = (importTimeoutMs = 20_000): DagFileParserPool => parsing.pool({ size: 1, importTimeoutMs });

  it('parses a valid DAG unaffected by what the file before it did to the realm', async () => {
    // The good files read the global the polluter sets: in a clean realm their ids are plain.
    const good = (id: string): string =>
      folder
        .goodDag(id)
        .replace(
          `new DAG(${JSON.stringify(id)}`,
          `new DAG(((globalThis as any).dagPrefix ?? '') + ${JSON.stringify(id)}`,
        );
    const files = [
      folder.write('01_json.ts', "JSON.stringify = () => 'undefined';\nexport {};\n"),
      folder.write('02_good.ts', good('after_json')),
      folder.write('03_push.ts', 'Array.prototype.push = function () { return 0; };\nexport {};\n'),
      folder.write('04_good.ts', good('after_push')),
      folder.write('05_global.ts', "(globalThis as any).dagPrefix = 'polluted_';\nexport {};\n"),
      folder.write('06_good.ts', good('after_global')),
      folder.write('07_env.ts', "process.env.TZ = 'Pacific/Kiritimati';\nexport {};\n"),
      folder.write('08_good.ts', good('after_env')),
      folder.write('09_exit.ts', 'process.exit(0);\n'),
      folder.write('10_good.ts', good('after_exit')),
      // Function.prototype is a function: it was once not watched, and every later file failed.
      folder.write('11_call.ts', 'Function.prototype.call = function () { return undefined; } as any;\nexport {};\n'),
      folder.write('12_good.ts', good('after_call')),
      // Node's own modules are not in require.cache: watched by themselves.
      folder.write('13_fs.ts', "require('node:fs').readFileSync = () => 'throw 1';\nexport {};\n"),
      folder.write('14_good.ts', good('after_fs')),
    ];
    const pool = onePool();
    const byName = await parseByName(pool, files);

    for (const [name, dagId] of [
      ['02_good.ts', 'after_json'],
      ['04_good.ts', 'after_push'],
      ['06_good.ts', 'after_global'],
      ['08_good.ts', 'after_env'],
      ['10_good.ts', 'after_exit'],
      ['12_good.ts', 'after_call'],
      ['14_good.ts', 'after_fs'],
    ]) {
      expect(byName[name].error).toBeUndefined();
      expect(byName[name].dags.map((d) => d.dagId)).toEqual([dagId]);
    }
    expect(byName['09_exit.ts'].error).toBe('parser process crashed (exit code 0) while importing the file');
    // Each polluter and the exit cost their child; the clean files did not.
    expect(pool.childrenStarted).toBe(8);
  });

  it('keeps one child for files that only use the realm (fetch, crypto, child_process)', async () => {
    const files = [
      folder.write('a.ts', folder.goodDag('a_dag')),
      folder.write(
        'uses.ts',
        "import { execFileSync } from 'node:child_process';\n" +
          "execFileSync('true');\nvoid typeof fetch;\nvoid crypto.randomUUID();\nvoid [1].map((x) => x);\n" +
          folder.goodDag('uses_dag'),
      ),
      folder.write('b.ts', folder.goodDag('b_dag')),
    ];
    const pool = onePool();
    const byName = await parseByName(pool, files);
    expect(Object.values(byName).map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(pool.childrenStarted).toBe(1);
  });

  // A DAG file can reach the parser's IPC channel (process.send). It once could forge the result of
  // another file (deactivating that file's DAGs) or a clean result for itself after polluting the
  // realm, so its child was reused.
  it('refuses results a DAG file sends itself over the parser channel', async () => {
    const goodFile = folder.path('good.ts');
    const forge = (fields: string): string =>
      `for (let id = 1; id <= 50; id += 1) process.send!({ type: 'result', id, result: { ${fields} } });\nexport {};\n`;
    const files = [
      folder.write(
        '01_forges_other.ts',
        forge(`file: ${JSON.stringify(goodFile)}, dags: [], source: '', error: 'forged', durationMs: 0`),
      ),
      folder.write(
        '02_pollutes_and_forges.ts',
        "JSON.stringify = () => 'undefined';\n" + forge("file: __filename, dags: [], source: '', durationMs: 0"),
      ),
      folder.write('03_listens.ts', "process.on('message', () => undefined);\nexport {};\n"),
      folder.write('04_timer.ts', 'setInterval(() => undefined, 1000);\nexport {};\n'),
      folder.write('good.ts', folder.goodDag('good_dag')),
    ];
    const pool = onePool();
    const byName = await parseByName(pool, files);
    const channel = 'the file sent messages on the parser channel (process.send)';
    expect(byName['01_forges_other.ts'].error).toBe(channel);
    expect(byName['02_pollutes_and_forges.ts'].error).toBe(channel);
    // Harmless by themselves, but what they leave would run while the next file imports.
    expect(byName['03_listens.ts'].error).toBeUndefined();
    expect(byName['04_timer.ts'].error).toBeUndefined();
    expect(byName['good.ts'].error).toBeUndefined();
    expect(byName['good.ts'].dags.map((d) => d.dagId)).toEqual(['good_dag']);
    expect(pool.childrenStarted).toBe(5);
  });

  // The import of such a file returns; its child then never turned its event loop again, and the
  // next file, a good one, was the one that timed out.
  it('blames an endless microtask loop on the file that started it, not on the next file', async () => {
    const files = [
      folder.write('async_loop.ts', 'void (async () => {\n  for (;;) await null;\n})();\nexport {};\n'),
      folder.write('good.ts', folder.goodDag('good_dag')),
    ];
    const byName = await parseByName(onePool(3000), files);
    expect(byName['async_loop.ts'].error).toBe('import timed out after 3s');
    expect(byName['good.ts'].error).toBeUndefined();
    expect(byName['good.ts'].dags.map((d) => d.dagId)).toEqual(['good_dag']);
  });

  it('kills what a file spawns at import, detached or in a new session, even when the file exits', async () => {
    const pidsFile = path.join(folder.root, 'pids');
    const setsidSleep = `setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! >> '${pidsFile}'`;
    const spawner = (detach: boolean, thenExit: boolean): string =>
      [
        "import { spawn } from 'node:child_process';",
        "import { appendFileSync } from 'node:fs';",
        `const child = spawn('sleep', ['300'], { detached: ${detach}, stdio: 'ignore' });`,
        'child.unref();',
        `appendFileSync(${JSON.stringify(pidsFile)}, String(child.pid) + '\\n');`,
        thenExit ? 'process.exit(0);' : 'export {};',
        '',
      ].join('\n');
    const files = [
      folder.write('spawns.ts', spawner(false, false)),
      folder.write('spawns_detached.ts', spawner(true, false)),
      folder.write('spawns_and_exits.ts', spawner(true, true)),
      // A double fork into a session of its own was once out of reach (found now by its environment).
      folder.write(
        'escapes_with_setsid.ts',
        "import { execFileSync } from 'node:child_process';\n" +
          `execFileSync('bash', ['-c', ${JSON.stringify(setsidSleep)}]);\n` +
          'export {};\n',
      ),
      folder.write('good.ts', folder.goodDag('good_dag')),
    ];
    const pool = onePool();
    const byName = await parseByName(pool, files);
    expect(byName['good.ts'].dags.map((d) => d.dagId)).toEqual(['good_dag']);
    expect(byName['spawns.ts'].error).toBeUndefined();
    const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(4);
    await eventually(() => expect(pids.filter((pid) => running(pid))).toEqual([]), {
      what: 'the sleeps spawned at import to be gone',
      timeoutMs: 10_000,
    });
  });
});
