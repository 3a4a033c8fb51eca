import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStatKey, statKeyOf } from '../../src/parsing/file-change-tracker';
import { StatSweep } from '../../src/parsing/stat-sweep';

describe('StatSweep', () => {
  let folder: string;
  const synced = new Map<string, FileStatKey>();
  const write = (name: string, text: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const markSynced = (file: string) => synced.set(file, statKeyOf(fs.statSync(file)));

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-sweep-'));
    synced.clear();
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('reports new, replaced and vanished files, and nothing when all is as synced', async () => {
    const a = write('a.ts', 'one');
    const b = write('b.ts', 'two');
    markSynced(a);
    const sweep = new StatSweep(folder);
    // First sweep: against what was synced only (b.ts never was).
    expect(await sweep.changedFiles((f) => synced.get(f))).toEqual([b]);
    markSynced(b);
    expect(await sweep.changedFiles((f) => synced.get(f))).toEqual([]);

    // Replaced by a rename, same size and mtime: a new inode.
    const staged = path.join(os.tmpdir(), `dagctl-sweep-staged-${process.pid}`);
    fs.writeFileSync(staged, 'uno');
    const before = fs.statSync(a);
    fs.utimesSync(staged, before.atime, before.mtime);
    fs.renameSync(staged, a);
    expect(await sweep.changedFiles((f) => synced.get(f))).toEqual([a]);
    markSynced(a);

    fs.rmSync(b);
    const c = write('c.ts', 'three');
    expect((await sweep.changedFiles((f) => synced.get(f))).sort()).toEqual([b, c].sort());
  });

  it('does not report a file that was never synced again and again (a refused duplicate)', async () => {
    write('dup.ts', 'x');
    const sweep = new StatSweep(folder);
    expect(await sweep.changedFiles(() => undefined)).toHaveLength(1);
    expect(await sweep.changedFiles(() => undefined)).toEqual([]);
  });

  it('spread over shares: lists every sweep, stats each file once per round', async () => {
    const files = ['a.ts', 'b.ts', 'c.ts'].map((name) => write(name, 'v1'));
    files.forEach(markSynced);
    const sweep = new StatSweep(folder);
    const shares = 3;
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);

    // An in-place edit (size changes) is found within one round of `shares` sweeps, once.
    fs.appendFileSync(files[1], ' more');
    const found: string[][] = [];
    for (let i = 0; i < shares; i += 1) found.push(await sweep.changedFiles((f) => synced.get(f), shares));
    expect(found.flat()).toEqual([files[1]]);
    markSynced(files[1]);

    // New and vanished files are seen by the very next sweep, whatever its turn.
    const d = write('d.ts', 'new');
    fs.rmSync(files[0]);
    expect((await sweep.changedFiles((f) => synced.get(f), shares)).sort()).toEqual([files[0], d].sort());
  });

  it("over many rounds on one listing: each edit found once, on the edited file's turn", async () => {
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts'].map((name) => write(name, 'v1'));
    const sweep = new StatSweep(folder);
    const shares = 2;
    const round = async () => {
      const found: string[] = [];
      for (let i = 0; i < shares; i += 1) found.push(...(await sweep.changedFiles(() => undefined, shares)));
      return found.sort();
    };
    expect(await round()).toEqual(files); // never synced: each reported once
    expect(await round()).toEqual([]);
    fs.appendFileSync(files[2], ' v2');
    fs.appendFileSync(files[3], ' v2');
    expect(await round()).toEqual([files[2], files[3]]);
    expect(await round()).toEqual([]);
    fs.appendFileSync(files[2], ' v3');
    expect(await round()).toEqual([files[2]]);
    expect(await round()).toEqual([]);
  });

  it('finds a replaced file at the next sweep, whatever its turn: its folder changed', async () => {
    fs.mkdirSync(path.join(folder, 'team'));
    const files = ['a.ts', 'b.ts', 'team/c.ts', 'team/d.ts'].map((name) => write(name, 'v1'));
    files.forEach(markSynced);
    const sweep = new StatSweep(folder);
    const shares = 1000; // as while a watch is up: no file's own turn comes during this test
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);

    // Renamed over (as `sed -i` or an atomic save does), same size and mtime: a new inode.
    for (const target of [files[2], files[0]]) {
      const staged = path.join(os.tmpdir(), `dagctl-sweep-staged-${process.pid}`);
      fs.writeFileSync(staged, 'v2');
      const before = fs.statSync(target);
      fs.utimesSync(staged, before.atime, before.mtime);
      fs.renameSync(staged, target);
      expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([target]);
      markSynced(target);
      expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);
    }
  });

  it('keeps stat-ing all files of a folder for the two sweeps after the one that found it changed', async () => {
    const [a, b] = ['a.ts', 'b.ts'].map((name) => write(name, 'v1'));
    [a, b].forEach(markSynced);
    const sweep = new StatSweep(folder);
    const shares = 1000; // no file's own turn comes during this test
    const next = () => sweep.changedFiles((f) => synced.get(f), shares);
    expect(await next()).toEqual([]);
    expect(await next()).toEqual([]);

    const c = write('c.ts', 'v1'); // the folder's entries change
    expect(await next()).toEqual([c]);
    markSynced(c);
    // In-place writes leave the folder as it was: a replacement racing a coarse folder timestamp
    // would look the same, and the folder's files are still stat-ed for two more sweeps.
    fs.appendFileSync(a, ' v2');
    expect(await next()).toEqual([a]);
    markSynced(a);
    fs.appendFileSync(b, ' v2');
    expect(await next()).toEqual([b]);
    markSynced(b);
    fs.appendFileSync(a, ' v3');
    expect(await next()).toEqual([]); // back to turns: the watch reports in-place writes
  });

  it('stats a DAG file that is a symlink every sweep: its target may be replaced outside the folder', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-sweep-target-'));
    try {
      const target = path.join(outside, 'etl.ts');
      fs.writeFileSync(target, 'v1');
      const link = path.join(folder, 'etl.ts');
      fs.symlinkSync(target, link);
      markSynced(link);
      const sweep = new StatSweep(folder);
      const next = () => sweep.changedFiles((f) => synced.get(f), 1000);
      expect(await next()).toEqual([]);
      expect(await next()).toEqual([]);
      const staged = path.join(outside, 'etl.ts.tmp');
      fs.writeFileSync(staged, 'v2');
      fs.renameSync(staged, target); // as `git pull` in the linked repository would
      expect(await next()).toEqual([link]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reuses its listing only while no folder or ignore file changed: adds, folder renames, ignore edits', async () => {
    fs.mkdirSync(path.join(folder, 'team/deep'), { recursive: true });
    const top = write('top.ts', 'x');
    const deep = write('team/deep/deep.ts', 'x');
    const ignore = write('.dagctlignore', 'nothing_matches_this\n');
    [top, deep].forEach(markSynced);
    const sweep = new StatSweep(folder);
    const shares = 1000; // as while a watch is up: file stats are rare, listings decide
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([]);

    const added = write('team/deep/added.ts', 'x');
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([added]);
    markSynced(added);

    fs.renameSync(path.join(folder, 'team'), path.join(folder, 'crew'));
    const moved = ['crew/deep/added.ts', 'crew/deep/deep.ts'].map((name) => path.join(folder, name));
    expect((await sweep.changedFiles((f) => synced.get(f), shares)).sort()).toEqual([...moved, added, deep].sort());
    moved.forEach(markSynced);

    // Edited in place (same folder entries): only the ignore file's own stat tells.
    fs.writeFileSync(ignore, 'crew/deep/deep\\.ts\n');
    expect(await sweep.changedFiles((f) => synced.get(f), shares)).toEqual([moved[1]]);
  });
});
