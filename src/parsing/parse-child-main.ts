/**
 * Entry of a parser child process (forked with IPC from dist/ by DagFileParserPool). Imports DAG
 * files one at a time as the parent asks; user code runs only here, never in the scheduler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUserModule } from '../authoring/load-dag-file';
import { errorMessage } from '../core/errors';
import { oneLineError } from './file-parse-result';
import { childActivityMark, killImportProcesses } from './import-processes';
import { parseDagFile } from './parse-dag-file';
import type { ChildToParentMessage, ParentToChildMessage } from './parse-child-protocol';
import { RealmSnapshot, realmChanges, settleLazyGlobals, takeRealmSnapshot } from './realm-snapshot';

let currentId: number | null = null;
/** The nonce of the parse in progress: only this module sees it, user code cannot forge a result. */
let currentNonce: string | null = null;
// Bound now: a file replacing process.send (which retires its child) must not see our messages.
const sendToParent = process.send?.bind(process);
/** The realm as it was once warm: every file is compared with it. */
let cleanRealm: RealmSnapshot | null = null;

// Captured before any DAG file runs: a file may replace the globals (its child is retired after).
const NativePromise = Promise;
const nextTurn = setImmediate;

/** `value`, once the event loop has turned (never, while user code keeps the microtask queue busy). */
function afterOneTurn<T>(value: T): Promise<T> {
  return new NativePromise((resolve) => nextTurn(() => resolve(value)));
}

function send(message: ChildToParentMessage): void {
  if (process.connected) sendToParent?.(message);
}

function fatal(err: unknown): void {
  send({ type: 'fatal', id: currentId, nonce: currentNonce, error: oneLineError(errorMessage(err)) });
  // Let the message flush, then go: user code may have left the process in any state.
  setTimeout(() => process.exit(1), 50);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.on('disconnect', () => process.exit(0));
// However the child goes (a file calling process.exit included), what files spawned goes with it.
process.on('exit', () => killImportProcesses(null));

process.on('message', (message: ParentToChildMessage) => {
  if (message?.type !== 'parse') return;
  const { id, nonce } = message;
  // Listeners a DAG file added get this same object: they must not learn the nonce.
  delete (message as Partial<ParentToChildMessage>).nonce;
  currentId = id;
  currentNonce = nonce;
  const mark = childActivityMark();
  void parseDagFile(message.file, message.defaults)
    // One turn of the event loop before answering: a file that left an endless chain of microtasks
    // (an async loop never awaiting I/O) starves it, so it times out itself instead of returning
    // and leaving a child that can never take the next file.
    .then(afterOneTurn)
    .then((result) => {
      currentId = null;
      currentNonce = null;
      const pollution = cleanRealm ? realmChanges(cleanRealm, require.cache) : [];
      // In a polluted realm even this cleanup may fail: the parent kills the child's whole tree then.
      if (pollution.length === 0) killImportProcesses(mark);
      send({ type: 'result', id, nonce, result, ...(pollution.length > 0 ? { pollution } : {}) });
    });
});

/** Import a trivial TS file using the SDK once, so transpiler and SDK loading are not charged to the first DAG file. */
async function warmUp(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-parse-warmup-'));
  try {
    const file = path.join(dir, 'warmup.ts');
    fs.writeFileSync(
      file,
      "import * as sdk from 'dagctl';\nconst warm: number = Object.keys(sdk).length;\nexport { warm };\n",
    );
    await parseDagFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The warm-up only saves time: if it fails (no writable temp folder), the child serves parses
// anyway rather than dying through fatal() before its first file.
void warmUp()
  .catch(() => undefined)
  .finally(() => {
    settleLazyGlobals();
    cleanRealm = takeRealmSnapshot(require.cache, isUserModule);
    send({ type: 'ready' });
  });
