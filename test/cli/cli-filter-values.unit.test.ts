import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/program';
import { exitCodeOf } from '../../src/cli/run-cli';
import { UserError } from '../../src/core/errors';

/** Parse `dagctl …args`; the argument error raised (before any action touches a database), or null. */
async function parseError(args: string[]): Promise<{ code: number; message: string } | null> {
  const argv = ['node', 'dagctl', ...args];
  const program = buildProgram(argv);
  let written = '';
  program.configureOutput({ writeErr: (text) => (written += text), outputError: (text, write) => write(text) });
  for (const command of program.commands)
    command.configureOutput({ writeErr: (text) => (written += text), outputError: (text, write) => write(text) });
  try {
    await program.parseAsync(argv);
    return null;
  } catch (err) {
    if (!(err instanceof CommanderError) && !(err instanceof UserError)) throw err;
    return { code: exitCodeOf(err), message: written || err.message };
  }
}

// Regression test for issue 11: `dags list-runs --state bogus` exited 0 and listed nothing.
describe('CLI filter values', () => {
  it('refuses an unknown run state with exit 2, naming it and the allowed ones', async () => {
    const error = await parseError(['dags', 'list-runs', '-d', 'x', '--state', 'bogus']);
    expect(error?.code).toBe(2);
    expect(error?.message).toMatch(/'bogus' is invalid.*queued, running, success, failed/s);
  });

  it('refuses an unknown output format and a limit that is not a positive number', async () => {
    expect((await parseError(['dags', 'list-runs', '-d', 'x', '-o', 'xml']))?.code).toBe(2);
    expect((await parseError(['dags', 'list-runs', '-d', 'x', '--limit', '0']))?.code).toBe(2);
    expect((await parseError(['pools', 'list', '-o', 'xml']))?.code).toBe(2);
  });
});
