import EventEmitter from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { RealmSnapshot, realmChanges, settleLazyGlobals, takeRealmSnapshot } from '../../src/parsing/realm-snapshot';

const cache = require.cache as Record<string, { exports?: unknown } | undefined>;

/**
 * What `realmChanges` reports while `target[key]` is patched with `value` (the original is put
 * back before anything else runs: jest itself needs an unpatched Function.prototype.call).
 */
function changesWhilePatched<T extends object>(
  snapshot: RealmSnapshot,
  target: T,
  key: keyof T,
  value: unknown,
): string[] {
  const original = Object.getOwnPropertyDescriptor(target, key)!;
  Object.defineProperty(target, key, { ...original, value });
  try {
    return realmChanges(snapshot, cache);
  } finally {
    Object.defineProperty(target, key, original);
  }
}

describe('realm snapshot', () => {
  let snapshot: RealmSnapshot;
  beforeEach(() => {
    settleLazyGlobals();
    snapshot = takeRealmSnapshot(cache, () => false);
  });

  it('sees nothing when nothing changed', () => {
    expect(realmChanges(snapshot, cache)).toEqual([]);
  });

  // Function.prototype is a function, not an object: it was once left out of the snapshot, and a
  // file replacing Function.prototype.call broke every later file parsed in its child ("undefined:").
  it.each(['call', 'apply', 'bind'] as const)('sees Function.prototype.%s replaced', (key) => {
    const changes = changesWhilePatched(snapshot, Function.prototype, key, () => undefined);
    expect(changes).toContain(`Function.prototype.${key}`);
  });

  it('watches each object once, under the first name it was reached by', () => {
    const targets = snapshot.objects.map((o) => o.target);
    expect(new Set(targets).size).toBe(targets.length);
    expect(changesWhilePatched(snapshot, Buffer.prototype, 'toString', () => '')).toEqual([
      'Buffer.prototype.toString',
    ]);
  });

  it("sees Node's own modules patched (fs, EventEmitter.prototype)", () => {
    expect(changesWhilePatched(snapshot, fs, 'readFileSync', () => 'hijacked')).toContain('node:fs.readFileSync');
    expect(changesWhilePatched(snapshot, EventEmitter.prototype, 'emit', () => false)).toContain(
      'node:events.prototype.emit',
    );
    // (process._events itself may have been replaced by the removal: a child would just be retired.)
    const after = realmChanges(snapshot, cache);
    expect(after).not.toContain('process listeners (message)');
    expect(after).not.toContain('left running (Timeout)');
  });

  // The comparison runs in place (no second table of every property): each kind of change still shows.
  it('sees a property added, removed or made read-only, and nothing once it is put back', () => {
    const target = os as unknown as Record<string, unknown>;
    target.addedByAFile = 1;
    try {
      expect(realmChanges(snapshot, cache)).toEqual(['node:os.addedByAFile']);
    } finally {
      delete target.addedByAFile;
    }
    const original = Object.getOwnPropertyDescriptor(fs, 'readFileSync')!;
    delete (fs as Partial<typeof fs>).readFileSync;
    try {
      expect(realmChanges(snapshot, cache)).toEqual(['node:fs.readFileSync']);
      // One key gone and another added: as many keys as before, both still seen.
      (fs as unknown as Record<string, unknown>).readFileSink = original.value;
      expect(realmChanges(snapshot, cache)).toEqual(['node:fs.readFileSync', 'node:fs.readFileSink']);
    } finally {
      delete (fs as unknown as Record<string, unknown>).readFileSink;
      Object.defineProperty(fs, 'readFileSync', original);
    }
    Object.defineProperty(fs, 'readFileSync', { ...original, writable: false });
    try {
      expect(realmChanges(snapshot, cache)).toEqual(['node:fs.readFileSync']);
    } finally {
      Object.defineProperty(fs, 'readFileSync', original);
    }
    expect(realmChanges(snapshot, cache)).toEqual([]);
  });
});

describe('what a file leaves running', () => {
  it('sees a process listener and a timer added, and no longer once they are gone', () => {
    const snapshot = takeRealmSnapshot(cache, () => false);
    const listener = (): void => undefined;
    process.on('message', listener);
    const timer = setInterval(() => undefined, 60_000);
    try {
      expect(realmChanges(snapshot, cache)).toEqual(
        expect.arrayContaining(['process listeners (message)', 'left running (Timeout)']),
      );
    } finally {
      process.off('message', listener);
      clearInterval(timer);
    }
    // (process._events itself may have been replaced by the removal: a child would just be retired.)
    const after = realmChanges(snapshot, cache);
    expect(after).not.toContain('process listeners (message)');
    expect(after).not.toContain('left running (Timeout)');
  });
});
