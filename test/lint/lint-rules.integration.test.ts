import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const CASES = path.join(__dirname, 'fixtures', 'lint-cases.ts');

interface LintMessage {
  line: number;
  ruleId: string | null;
  message: string;
}

/** The rule each line of the cases file expects (from its `// expect: <rule>` comment). */
function expectedRules(): Array<{ line: number; ruleId: string }> {
  return fs
    .readFileSync(CASES, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const match = /\/\/ expect: (\S+)$/.exec(text);
      return match ? [{ line: i + 1, ruleId: match[1] }] : [];
    });
}

describe("the project's lint rules (config/eslint.config.mjs)", () => {
  it('report each planted violation with its rule, and nothing on the allowed forms', async () => {
    const eslint = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const args = [eslint, '-c', 'config/eslint.config.mjs', '--no-ignore', '-f', 'json', CASES];
    // ESLint exits 1 when it reports problems, which is the point here.
    const output = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    const [result] = JSON.parse(output.stdout) as Array<{ messages: LintMessage[] }>;
    const reported = result.messages.map(({ line, ruleId }) => ({ line, ruleId }));
    expect(reported).toEqual(expectedRules());
  }, 180_000);
});
