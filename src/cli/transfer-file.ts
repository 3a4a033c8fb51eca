import fs from 'node:fs';
import { errorMessage, UserError } from '../core/errors';
import { printLine } from './output';

/** The text of an import file, `-` meaning stdin; a one-line error when it cannot be read. */
export function readTransferFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${errorMessage(err)}`);
  }
}

/**
 * Write an export, `-` meaning stdout (then nothing else is printed, so the output can be piped);
 * to a file, `summary` is printed after it was written. `mode` for files that hold secrets.
 */
export function writeTransferFile(file: string, text: string, summary: string, mode?: number): void {
  if (file === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(file, text, mode === undefined ? undefined : { mode });
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${errorMessage(err)}`);
  }
  printLine(summary);
}
