import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What a hostile file must come to:
 * - 'error': an import error of that file;
 * - 'harmless': imports without error, and whatever DAG it defines is its own (never a good one);
 * - 'either': one or the other (a huge file may time out or import, depending on the machine);
 * - 'skipped': not a regular DAG file, never imported (a FIFO, a link to a device or a loop).
 */
export type HostileOutcome = 'error' | 'harmless' | 'either' | 'skipped';

export interface HostileFile {
  name: string;
  outcome: HostileOutcome;
  /** What the import error must say, when it is one. */
  error?: RegExp;
  /** Writes the file (its text, a symlink, a FIFO…) at `file`. */
  make(file: string): void;
}

/** Where spawning files write the pids of what they spawned, and the ids good DAGs use. */
export interface HostileContext {
  pidsFile: string;
  /** A DAG id a good file defines: one hostile file claims it too. */
  goodDagId: string;
  /** The good file defining it: one hostile file forges a parse result naming it. */
  goodFile: string;
}

const text =
  (source: string) =>
  (file: string): void =>
    fs.writeFileSync(file, source);

const dagHeader = "import { DAG, EmptyOperator, BashOperator } from 'dagctl';\n";

/** A DAG file whose body runs `body` after creating DAG `dagId` (so it would be valid without the body). */
function dagThen(dagId: string, body: string): string {
  return (
    dagHeader +
    `const dag = new DAG(${JSON.stringify(dagId)}, { schedule: null, startDate: '2026-01-01T00:00:00Z' });\n` +
    "new EmptyOperator({ taskId: 'only', dag });\n" +
    body +
    '\nexport default dag;\n'
  );
}

function spawner(pidsFile: string, options: { detached: boolean; then: string; count?: number }): string {
  return [
    "import { spawn } from 'node:child_process';",
    "import { appendFileSync } from 'node:fs';",
    `for (let i = 0; i < ${options.count ?? 1}; i += 1) {`,
    `  const child = spawn('sleep', ['300'], { detached: ${options.detached}, stdio: 'ignore' });`,
    '  child.unref();',
    `  appendFileSync(${JSON.stringify(pidsFile)}, String(child.pid) + '\\n');`,
    '}',
    options.then,
    'export {};',
    '',
  ].join('\n');
}

/** A YAML document whose aliases expand to 10^9 entries ("billion laughs"). */
function yamlAliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i += 1) {
    const prev = names[i - 1];
    lines.push(`${names[i]}: &${names[i]} [${Array(10).fill(`*${prev}`).join(',')}]`);
  }
  lines.push('dag_id: alias_bomb', 'tasks:', '  t:', '    operator: empty', '    doc: *i', '');
  return lines.join('\n');
}

/** Every hostile file of the suite (≥ 50), with what it must come to. */
export function hostileFiles(ctx: HostileContext): HostileFile[] {
  const { pidsFile, goodDagId, goodFile } = ctx;
  const exits = /parser process crashed/;
  const timedOut = /import timed out after/;
  return [
    // Not valid code or data.
    { name: 'syntax_error.ts', outcome: 'error', make: text("import { DAG } from 'dagctl';\nconst x = ;\n") },
    { name: 'syntax_error.js', outcome: 'error', make: text('module.exports = {{;\n') },
    { name: 'unterminated.ts', outcome: 'error', make: text("const s = 'never closed\n") },
    { name: 'syntax_error.mjs', outcome: 'error', make: text('export default function ( {\n') },
    { name: 'bad.yaml', outcome: 'error', make: text('dag_id: broken\ntasks: [unclosed\n  a: {\n') },
    { name: 'list.yaml', outcome: 'error', make: text('- just\n- a list\n') },
    {
      name: 'unknown_operator.yaml',
      outcome: 'error',
      make: text('dag_id: y_op\ntasks:\n  t:\n    operator: nope\n'),
    },
    { name: 'alias_bomb.yaml', outcome: 'error', make: text(yamlAliasBomb()) },
    {
      name: 'binary_garbage.ts',
      outcome: 'error',
      make: (file) =>
        fs.writeFileSync(file, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256))),
    },
    { name: 'nul_bytes.ts', outcome: 'error', make: text('const a = 1;\0\0\0 const b = ;\n') },
    { name: 'empty.ts', outcome: 'harmless', make: text('') },
    {
      name: 'huge_comment.ts',
      outcome: 'either',
      make: (file) => fs.writeFileSync(file, `// ${'x'.repeat(1000)}\n`.repeat(20_000) + 'export {};\n'),
    },
    {
      name: 'huge_line.ts',
      outcome: 'either',
      make: text(`export const big = '${'y'.repeat(8 * 1024 * 1024)}';\n`),
    },
    // DAGs the SDK refuses.
    {
      name: 'cycle.ts',
      outcome: 'error',
      error: /cycle/i,
      make: text(
        dagHeader +
          "const dag = new DAG('cyclic', { schedule: null });\n" +
          "const a = new EmptyOperator({ taskId: 'a', dag });\nconst b = new EmptyOperator({ taskId: 'b', dag });\n" +
          'a.then(b);\nb.then(a);\nexport default dag;\n',
      ),
    },
    {
      name: 'duplicate_task.ts',
      outcome: 'error',
      make: text(
        dagHeader +
          "const dag = new DAG('dup_task', { schedule: null });\n" +
          "new EmptyOperator({ taskId: 'same', dag });\n" +
          "new EmptyOperator({ taskId: 'same', dag });\nexport default dag;\n",
      ),
    },
    {
      name: 'duplicate_dag.ts',
      outcome: 'error',
      error: /more than once/,
      make: text(dagHeader + "new DAG('twice', { schedule: null });\nnew DAG('twice', { schedule: null });\n"),
    },
    {
      // Sorted last, so the good file claims the id first: the later file is the one refused.
      name: 'zz_collides_with_good.ts',
      outcome: 'error',
      error: /is already defined in/,
      make: text(dagThen(goodDagId, '')),
    },
    { name: 'nul_in_dag_id.ts', outcome: 'error', make: text(dagThen('nul\\u0000id', '')) },
    { name: 'unicode_dag_id.ts', outcome: 'error', make: text(dagThen('d\u00e9j\u00e0_\u{1F4A5}', '')) },
    { name: 'newline_dag_id.ts', outcome: 'error', make: text(dagThen('two\\nlines', '')) },
    { name: 'long_dag_id.ts', outcome: 'error', make: text(dagThen('x'.repeat(10_000), '')) },
    {
      name: 'unicode_task_id.ts',
      outcome: 'error',
      make: text(
        dagHeader +
          "const dag = new DAG('uni_task', { schedule: null });\n" +
          "new EmptyOperator({ taskId: 'caf\\u00e9\\u0000', dag });\nexport default dag;\n",
      ),
    },
    {
      name: 'unknown_option.ts',
      outcome: 'error',
      make: text(
        dagHeader +
          "const dag = new DAG('unknown_opt', { schedule: null });\n" +
          "new BashOperator({ taskId: 'x', bashCommand: 'echo', colour: 'red', dag } as any);\nexport default dag;\n",
      ),
    },
    {
      name: 'bad_schedule.ts',
      outcome: 'error',
      make: text(dagHeader + "export default new DAG('bad_schedule', { schedule: 'every tuesday' });\n"),
    },
    {
      name: 'ten_thousand_tasks.ts',
      outcome: 'harmless',
      make: text(
        dagHeader +
          "const dag = new DAG('ten_thousand', { schedule: null, startDate: '2026-01-01T00:00:00Z' });\n" +
          "for (let i = 0; i < 10_000; i += 1) new EmptyOperator({ taskId: 't' + i, dag });\nexport default dag;\n",
      ),
    },
    {
      name: 'long_chain.ts',
      outcome: 'either',
      make: text(
        dagHeader +
          "const dag = new DAG('long_chain', { schedule: null, startDate: '2026-01-01T00:00:00Z' });\n" +
          "let prev = new EmptyOperator({ taskId: 'c0', dag });\n" +
          'for (let i = 1; i < 5_000; i += 1) {\n' +
          "  const next = new EmptyOperator({ taskId: 'c' + i, dag });\n" +
          '  prev.then(next);\n  prev = next;\n}\n' +
          'export default dag;\n',
      ),
    },
    // Throwing, rejecting, never finishing.
    {
      name: 'throws_error.ts',
      outcome: 'error',
      error: /warehouse unreachable/,
      make: text("throw new Error('warehouse unreachable');\n"),
    },
    {
      name: 'throws_string.ts',
      outcome: 'error',
      error: /plain string/,
      make: text("throw 'a plain string';\nexport {};\n"),
    },
    { name: 'throws_null.ts', outcome: 'error', make: text('throw null;\nexport {};\n') },
    {
      name: 'throws_hostile_object.ts',
      outcome: 'error',
      make: text(
        'throw {\n  get message() { throw new Error("no message"); },\n' +
          '  toString() { throw new Error("no string"); },\n};\nexport {};\n',
      ),
    },
    {
      name: 'throws_multiline.ts',
      outcome: 'error',
      error: /first line/,
      make: text("throw new Error('first line\\nsecond line\\nthird line');\nexport {};\n"),
    },
    {
      name: 'stack_overflow.ts',
      outcome: 'error',
      make: text('const f = (n: number): number => f(n + 1) + 1;\nf(0);\nexport {};\n'),
    },
    {
      name: 'rejects_later.ts',
      outcome: 'either',
      make: text("void Promise.reject(new Error('rejected after import'));\nexport {};\n"),
    },
    {
      name: 'throws_in_timer.ts',
      outcome: 'either',
      make: text("setTimeout(() => { throw new Error('thrown from a timer'); }, 5);\nexport {};\n"),
    },
    // Top-level await is a syntax error in DAG files (loaded as CommonJS, .mjs too).
    { name: 'top_level_await.ts', outcome: 'error', error: /await/, make: text('await new Promise(() => {});\n') },
    {
      name: 'never_resolves.ts',
      outcome: 'error',
      error: timedOut,
      make: text("import { execFileSync } from 'node:child_process';\nexecFileSync('sleep', ['300']);\nexport {};\n"),
    },
    {
      name: 'infinite_loop.ts',
      outcome: 'error',
      error: timedOut,
      make: text('while (true) { /* never ends */ }\nexport {};\n'),
    },
    {
      // Microtasks that never end: the import returns, but nothing after it ever runs.
      name: 'endless_async_loop.ts',
      outcome: 'error',
      error: timedOut,
      make: text('void (async () => {\n  for (;;) await null;\n})();\nexport {};\n'),
    },
    {
      name: 'oom.ts',
      outcome: 'error',
      // The parser child's heap cap (scheduler.parser_max_heap) kills it fast, not the import timeout.
      error: /ran out of memory while importing \(parser heap limit \d+ MB, scheduler\.parser_max_heap\)/,
      make: text('const hog: string[][] = [];\nfor (;;) hog.push(new Array(1_000_000).fill("x"));\nexport {};\n'),
    },
    {
      name: 'keeps_timers.ts',
      outcome: 'harmless',
      make: text(dagThen('keeps_timers', 'setInterval(() => undefined, 1000);')),
    },
    {
      name: 'floods_stdout.ts',
      outcome: 'harmless',
      make: text(dagThen('floods_stdout', "for (let i = 0; i < 20_000; i += 1) console.log('noise '.repeat(50));")),
    },
    // Changing the realm for the files after it.
    {
      name: 'pollutes_object_prototype.ts',
      outcome: 'harmless',
      make: text("(Object.prototype as any).dagId = 'hijacked';\nexport {};\n"),
    },
    {
      name: 'pollutes_array_push.ts',
      outcome: 'harmless',
      make: text('Array.prototype.push = function () { return 0; };\nexport {};\n'),
    },
    {
      name: 'pollutes_json_stringify.ts',
      outcome: 'harmless',
      make: text("JSON.stringify = () => 'undefined';\nexport {};\n"),
    },
    {
      name: 'pollutes_promise.ts',
      outcome: 'harmless',
      make: text('(globalThis as any).Promise = function () {};\nexport {};\n'),
    },
    {
      name: 'pollutes_function_call.ts',
      outcome: 'harmless',
      make: text('Function.prototype.call = function () { return undefined; } as any;\nexport {};\n'),
    },
    {
      name: 'freezes_object_prototype.ts',
      outcome: 'harmless',
      make: text('Object.freeze(Object.prototype);\nexport {};\n'),
    },
    {
      name: 'pollutes_env.ts',
      outcome: 'harmless',
      make: text("process.env.TZ = 'Pacific/Kiritimati';\nexport {};\n"),
    },
    { name: 'changes_cwd.ts', outcome: 'harmless', make: text("process.chdir('/');\nexport {};\n") },
    {
      name: 'patches_fs.ts',
      outcome: 'harmless',
      make: text("require('node:fs').readFileSync = () => 'throw new Error(\"hijacked\")';\nexport {};\n"),
    },
    {
      name: 'patches_event_emitter.ts',
      outcome: 'harmless',
      make: text("require('node:events').prototype.emit = () => false;\nexport {};\n"),
    },
    {
      name: 'empties_require_cache.ts',
      outcome: 'harmless',
      make: text('for (const id of Object.keys(require.cache)) delete require.cache[id];\nexport {};\n'),
    },
    // Talking to the DAG processor over the parser's IPC channel (ids are small integers: guessed).
    {
      name: 'forges_result_for_good_file.ts',
      outcome: 'error',
      make: text(
        'for (let id = 1; id <= 200; id += 1)\n' +
          `  process.send!({ type: 'result', id, result: { file: ${JSON.stringify(goodFile)},\n` +
          "    dags: [], source: '', error: 'forged', durationMs: 0 } });\n" +
          'export {};\n',
      ),
    },
    {
      name: 'pollutes_then_forges_clean_result.ts',
      outcome: 'error',
      make: text(
        "JSON.stringify = () => 'undefined';\n" +
          'for (let id = 1; id <= 200; id += 1)\n' +
          "  process.send!({ type: 'result', id, result: { file: __filename,\n" +
          "    dags: [], source: '', durationMs: 0 } });\n" +
          'export {};\n',
      ),
    },
    {
      name: 'listens_for_later_files.ts',
      outcome: 'harmless',
      make: text(
        "process.on('message', (m: any) => process.send!({ type: 'result', id: m.id, nonce: m.nonce,\n" +
          "  result: { file: m.file, dags: [], source: '', error: 'hijacked', durationMs: 0 } }));\n" +
          'export {};\n',
      ),
    },
    {
      name: 'forges_later_from_timer.ts',
      outcome: 'either',
      make: text(
        'let id = 1;\n' +
          'setInterval(() => {\n  id += 1;\n' +
          "  process.send!({ type: 'result', id, result: { file: __filename,\n" +
          "    dags: [], source: '', error: 'from a timer', durationMs: 0 } });\n}, 1);\n" +
          'export {};\n',
      ),
    },
    // Ending the parser process.
    { name: 'exit_0.ts', outcome: 'error', error: exits, make: text('process.exit(0);\n') },
    { name: 'exit_1.ts', outcome: 'error', error: exits, make: text('process.exit(1);\n') },
    { name: 'kills_itself.ts', outcome: 'error', error: exits, make: text('process.kill(process.pid);\nexport {};\n') },
    {
      name: 'kills_itself_hard.ts',
      outcome: 'error',
      error: exits,
      make: text("process.kill(process.pid, 'SIGKILL');\nexport {};\n"),
    },
    { name: 'aborts.ts', outcome: 'error', error: exits, make: text('process.abort();\n') },
    { name: 'disconnects.ts', outcome: 'error', make: text('process.disconnect();\nexport {};\n') },
    // Leaving processes behind.
    { name: 'spawns.ts', outcome: 'harmless', make: text(spawner(pidsFile, { detached: false, then: '' })) },
    { name: 'spawns_detached.ts', outcome: 'harmless', make: text(spawner(pidsFile, { detached: true, then: '' })) },
    {
      name: 'spawns_many.ts',
      outcome: 'harmless',
      make: text(spawner(pidsFile, { detached: true, then: '', count: 10 })),
    },
    {
      // A double fork into a new session: neither in the child's tree nor in its group or session.
      name: 'escapes_with_setsid.ts',
      outcome: 'harmless',
      make: text(
        "import { execFileSync } from 'node:child_process';\n" +
          "execFileSync('bash', ['-c', " +
          JSON.stringify(`setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! >> '${pidsFile}'`) +
          ']);\nexport {};\n',
      ),
    },
    {
      name: 'spawns_and_exits.ts',
      outcome: 'error',
      error: exits,
      make: text(spawner(pidsFile, { detached: true, then: 'process.exit(0);' })),
    },
    {
      name: 'spawns_and_loops.ts',
      outcome: 'error',
      error: timedOut,
      make: text(spawner(pidsFile, { detached: true, then: 'while (true) { /* hold the child */ }' })),
    },
    // The file system.
    {
      name: 'deletes_itself.ts',
      outcome: 'either',
      make: (file) => fs.writeFileSync(file, 'require("node:fs").rmSync(__filename);\nexport {};\n'),
    },
    {
      name: 'symlink_loop.ts',
      outcome: 'skipped',
      make: (file) => {
        const other = path.join(path.dirname(file), 'symlink_loop_b.ts');
        fs.symlinkSync(other, file);
        fs.symlinkSync(file, other);
      },
    },
    { name: 'dev_zero.ts', outcome: 'skipped', make: (file) => fs.symlinkSync('/dev/zero', file) },
    { name: 'fifo.ts', outcome: 'skipped', make: (file) => execFileSync('mkfifo', [file]) },
    {
      name: 'dir_loop',
      outcome: 'skipped',
      make: (file) => {
        fs.mkdirSync(file);
        fs.symlinkSync(file, path.join(file, 'again'));
      },
    },
  ];
}
