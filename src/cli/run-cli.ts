import { CommanderError } from 'commander';
import { UserError, errorMessage } from '../core/errors';
import { buildProgram } from './program';

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.write('', () => resolve()));
}

/** Exit code for an error thrown by a command: 2 for bad arguments, 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    return 2;
  }
  if (err instanceof UserError) return err.exitCode;
  return 1;
}

/**
 * Run `dagctl` with these arguments and exit the process: 0 on success, the command's
 * process.exitCode, 2 for bad arguments, 1 for other errors. Errors are one line on stderr; the
 * stack only with --verbose.
 */
export async function runCli(argv: string[]): Promise<never> {
  const verbose = argv.includes('--verbose');
  const program = buildProgram(argv);
  let code: number;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    code = exitCodeOf(err);
    // Commander already printed its own message (unknown option, missing argument…).
    if (!(err instanceof CommanderError)) {
      process.stderr.write(`error: ${oneLine(errorMessage(err)) || String(err)}\n`);
      if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    }
  }
  await flush(process.stdout);
  await flush(process.stderr);
  process.exit(code);
}
