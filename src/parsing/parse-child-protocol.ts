import type { AuthoringDefaults } from '../authoring/authoring-defaults';
import type { FileParseResult } from './file-parse-result';

/**
 * Messages between the DAG processor and a parser child (Node IPC, JSON).
 * Parent → child: `parse`. Child → parent: `ready` once its modules are loaded (the import
 * timeout starts then, so a slow child start-up is not blamed on a file), `result` per file, and
 * `fatal` when user code crashed the child outside the import (the child exits right after).
 * A result with `pollution` names what the file changed in the child's realm (globals,
 * built-ins, module cache, …): the parent retires that child, so no other file parses there.
 *
 * The channel is reachable by the user code the child runs (`process.send`): each parse carries a
 * random `nonce` that only the child's own handler sees, and the parent accepts a result or fatal
 * only with the nonce of the parse it is waiting for. A message without it was forged by a DAG
 * file; the child is killed.
 */
export type ParentToChildMessage = {
  type: 'parse';
  id: number;
  nonce: string;
  file: string;
  defaults?: AuthoringDefaults;
};

export type ChildToParentMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; nonce: string; result: FileParseResult; pollution?: string[] }
  | { type: 'fatal'; id: number | null; nonce: string | null; error: string };
