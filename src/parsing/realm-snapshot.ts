/**
 * What a DAG file's import can change in its parser process that would change how the next file
 * parses: the global object, the built-ins' statics and prototypes, process.env and the working
 * folder, and the module cache. A parser child takes a snapshot once it is warm and compares
 * after every file; a file that changed anything gets its child retired (see parser-child.ts),
 * so the next file parses in a clean realm without paying for a fresh process per file.
 */

// Default imports: the modules' own export objects (what a file patching them changes).
import buffer from 'node:buffer';
import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import events from 'node:events';
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import timers from 'node:timers';
import url from 'node:url';
import util from 'node:util';
import vm from 'node:vm';

// The file being checked may have patched any built-in, so the comparison runs only on functions
// captured here, before any DAG file ran, and on plain objects and index loops (no Map, no
// for…of, no array methods).
const { ownKeys, getOwnPropertyDescriptor } = Reflect;
const { is, isExtensible, getPrototypeOf, keys, create, hasOwn } = Object;
const toText = String;
const cwdOf = process.cwd.bind(process);
const eventNamesOf = process.eventNames.bind(process);
const listenerCountOf = process.listenerCount.bind(process);
const activeResourcesOf = process.getActiveResourcesInfo.bind(process);

/**
 * Resources that run user code later (a timer, a server or socket whose handlers fire): one a file
 * leaves behind would run while the next file imports. Processes and pipes are not counted (what a
 * file spawns is killed after its import anyway).
 */
const LINGERING_RESOURCES = ['Timeout', 'Immediate', 'TCPServerWrap', 'TCPSocketWrap', 'UDPWrap'];

/** One property as it was: identity of its value or accessors, and its attribute flags (flagsOf). */
interface PropertyState {
  value: unknown;
  get: unknown;
  set: unknown;
  flags: number;
}

type Table<T> = Record<string | symbol, T | undefined>;

interface ObjectState {
  name: string;
  target: object;
  extensible: boolean;
  prototype: unknown;
  properties: Table<PropertyState>;
  /** The keys of `properties`, in the order the object listed them. */
  names: Array<string | symbol>;
}

export interface RealmSnapshot {
  objects: ObjectState[];
  env: Table<string>;
  cwd: string;
  modules: Table<{ exports: unknown }>;
  /** Listeners on `process` per event: a file's 'message' listener would see later files' parses. */
  processListeners: Table<number>;
  /** Active timers, servers and sockets by kind (LINGERING_RESOURCES). */
  resources: Table<number>;
}

/** Built-ins whose statics and prototype a file could patch (the prototype is checked too). */
const BUILT_INS: Array<[string, unknown]> = [
  ['Object', Object],
  ['Function', Function],
  ['Array', Array],
  ['String', String],
  ['Number', Number],
  ['Boolean', Boolean],
  ['Symbol', Symbol],
  ['BigInt', BigInt],
  ['Promise', Promise],
  ['Date', Date],
  ['RegExp', RegExp],
  ['Error', Error],
  ['TypeError', TypeError],
  ['Map', Map],
  ['Set', Set],
  ['WeakMap', WeakMap],
  ['WeakSet', WeakSet],
  ['ArrayBuffer', ArrayBuffer],
  ['Uint8Array', Uint8Array],
  ['Buffer', Buffer],
  ['URL', URL],
  ['JSON', JSON],
  ['Math', Math],
  ['Reflect', Reflect],
  ['process', process],
  ['console', console],
  // Shared by every array, map and set iterator, and by every typed array.
  ['%IteratorPrototype%', Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))],
  ['%TypedArray%', Object.getPrototypeOf(Uint8Array)],
];

function flagsOf(d: PropertyDescriptor): number {
  return (d.writable ? 1 : 0) + (d.enumerable ? 2 : 0) + (d.configurable ? 4 : 0);
}

function describe(name: string, target: object): ObjectState {
  const properties = create(null) as Table<PropertyState>;
  const names = ownKeys(target);
  for (let i = 0; i < names.length; i += 1) {
    const d = getOwnPropertyDescriptor(target, names[i])!;
    properties[names[i]] = { value: d.value, get: d.get, set: d.set, flags: flagsOf(d) };
  }
  return { name, target, extensible: isExtensible(target), prototype: getPrototypeOf(target), properties, names };
}

function append(list: string[], item: string): void {
  list[list.length] = item;
}

function sameProperty(before: PropertyState, now: PropertyDescriptor | undefined): boolean {
  return (
    now !== undefined &&
    is(before.value, now.value) &&
    before.get === now.get &&
    before.set === now.set &&
    before.flags === flagsOf(now)
  );
}

/**
 * What changed on one watched object, compared in place: runs after every file over some 140
 * objects and 2000 properties, so it builds no new table of them (which cost most of its time).
 */
function objectChanges(before: ObjectState, changes: string[]): void {
  const { name, target, properties, names } = before;
  if (isExtensible(target) !== before.extensible) append(changes, name + ' (frozen or sealed)');
  if (getPrototypeOf(target) !== before.prototype) append(changes, name + ' (prototype replaced)');
  let kept = 0;
  for (let j = 0; j < names.length; j += 1) {
    const now = getOwnPropertyDescriptor(target, names[j]);
    if (now !== undefined) kept += 1;
    if (!sameProperty(properties[names[j]]!, now)) append(changes, name + '.' + toText(names[j]));
  }
  const current = ownKeys(target);
  // Every old key still there and as many keys as that: nothing was added.
  if (current.length === kept) return;
  for (let j = 0; j < current.length; j += 1)
    if (!hasOwn(properties, current[j])) append(changes, name + '.' + toText(current[j]));
}

function envTable(): Table<string> {
  const table = create(null) as Table<string>;
  const names = keys(process.env);
  for (let i = 0; i < names.length; i += 1) table[names[i]] = process.env[names[i]];
  return table;
}

/**
 * Node's own modules the loader and the SDK go through (they are not in require.cache, so the
 * module check does not cover them): a file patching `fs.readFileSync` or
 * `EventEmitter.prototype.emit` changes how every later file is read or parsed.
 */
const BUILT_IN_MODULES: Array<[string, unknown]> = [
  ['node:fs', fs],
  ['node:fs/promises', fsPromises],
  ['node:path', path],
  ['node:events', events],
  ['node:module', nodeModule],
  ['node:vm', vm],
  ['node:util', util],
  ['node:url', url],
  ['node:os', os],
  ['node:child_process', childProcess],
  ['node:crypto', crypto],
  ['node:buffer', buffer],
  ['node:timers', timers],
];

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** `value` and, for a class or function, its prototype (Function.prototype is itself a function). */
function withPrototype(objects: Array<[string, object]>, name: string, value: unknown): void {
  if (!isObjectLike(value)) return;
  objects.push([name, value]);
  const prototype = (value as { prototype?: unknown }).prototype;
  if (typeof value === 'function' && isObjectLike(prototype)) objects.push([`${name}.prototype`, prototype]);
}

function processListenerTable(): Table<number> {
  const table = create(null) as Table<number>;
  const names = eventNamesOf();
  for (let i = 0; i < names.length; i += 1) table[names[i]] = listenerCountOf(names[i]);
  return table;
}

function resourceTable(): Table<number> {
  const table = create(null) as Table<number>;
  const active = activeResourcesOf();
  for (let i = 0; i < active.length; i += 1) table[active[i]] = (table[active[i]] ?? 0) + 1;
  return table;
}

function objectsToWatch(): Array<[string, object]> {
  const objects: Array<[string, object]> = [['globalThis', globalThis]];
  for (const [name, value] of BUILT_INS) withPrototype(objects, name, value);
  for (const [id, exports] of BUILT_IN_MODULES) {
    withPrototype(objects, id, exports);
    if (!isObjectLike(exports)) continue;
    // The classes a module exports (EventEmitter, Module, …): their prototypes are shared state too.
    for (const key of Object.keys(exports)) {
      const member = (exports as Record<string, unknown>)[key];
      if (typeof member === 'function' && /^[A-Z]/.test(key)) withPrototype(objects, `${id}.${key}`, member);
    }
  }
  // Module._extensions decides how every later file is compiled.
  objects.push(['node:module._extensions', (nodeModule as unknown as { _extensions: object })._extensions]);
  // Some are reached twice (node:events is EventEmitter, node:buffer.Buffer is Buffer, node:url.URL
  // is URL…): checked once, under the first name, since the check runs after every file.
  const seen = new Set<object>();
  return objects.filter(([, target]) => !seen.has(target) && seen.add(target));
}

/**
 * Node defines some globals (fetch, crypto, navigator, …) as getters that replace themselves on
 * first use: touch them all once, so a file merely using one does not look like a change.
 */
export function settleLazyGlobals(): void {
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Reflect.getOwnPropertyDescriptor(globalThis, key);
    if (!d?.get) continue;
    try {
      void (globalThis as Record<string | symbol, unknown>)[key];
    } catch {
      // A getter that throws stays a getter: compared by identity, it is stable anyway.
    }
  }
}

/**
 * The realm as it is now. `moduleCache` is the require.cache DAG files are loaded through;
 * `isUserModule` names its entries that are a DAG file's own code (not watched: purged anyway).
 */
export function takeRealmSnapshot(
  moduleCache: Record<string, { exports?: unknown } | undefined>,
  isUserModule: (id: string) => boolean,
): RealmSnapshot {
  const modules = create(null) as Table<{ exports: unknown }>;
  for (const [id, mod] of Object.entries(moduleCache)) if (!isUserModule(id)) modules[id] = { exports: mod?.exports };
  return {
    objects: objectsToWatch().map(([name, target]) => describe(name, target)),
    env: envTable(),
    cwd: process.cwd(),
    modules,
    processListeners: processListenerTable(),
    resources: resourceTable(),
  };
}

/**
 * What changed since `snapshot` ([] when nothing did), e.g. ['JSON.stringify', 'globalThis.foo'].
 * Modules added to the cache are not a change: they are the file's own, purged before the next
 * import; a module that was there before must still be there, with the same exports.
 */
export function realmChanges(
  snapshot: RealmSnapshot,
  moduleCache: Record<string, { exports?: unknown } | undefined>,
): string[] {
  const changes: string[] = [];
  for (let i = 0; i < snapshot.objects.length; i += 1) objectChanges(snapshot.objects[i], changes);
  const env = envTable();
  const envNames = ownKeys(snapshot.env);
  for (let i = 0; i < envNames.length; i += 1)
    if (snapshot.env[envNames[i]] !== env[envNames[i]]) append(changes, 'process.env.' + toText(envNames[i]));
  const newNames = ownKeys(env);
  for (let i = 0; i < newNames.length; i += 1)
    if (snapshot.env[newNames[i]] === undefined) append(changes, 'process.env.' + toText(newNames[i]));
  if (cwdOf() !== snapshot.cwd) append(changes, 'process.cwd()');
  const listeners = processListenerTable();
  const events = ownKeys(listeners);
  for (let i = 0; i < events.length; i += 1)
    if ((listeners[events[i]] ?? 0) > (snapshot.processListeners[events[i]] ?? 0))
      append(changes, 'process listeners (' + toText(events[i]) + ')');
  const resources = resourceTable();
  for (let i = 0; i < LINGERING_RESOURCES.length; i += 1) {
    const kind = LINGERING_RESOURCES[i];
    if ((resources[kind] ?? 0) > (snapshot.resources[kind] ?? 0)) append(changes, 'left running (' + kind + ')');
  }
  const ids = ownKeys(snapshot.modules);
  for (let i = 0; i < ids.length; i += 1) {
    const id = ids[i] as string;
    const mod = moduleCache[id];
    if (mod === undefined) append(changes, 'require.cache (' + id + ' removed)');
    else if (mod.exports !== snapshot.modules[id]!.exports) append(changes, 'require.cache (' + id + ' replaced)');
  }
  return changes;
}
