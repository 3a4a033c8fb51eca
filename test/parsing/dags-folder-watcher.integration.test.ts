import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DagsFolderWatcher } from '../../src/parsing/dags-folder-watcher';

/**
 * Whether a changed file was replaced (leaving the watch blind to it) is judged against the inode
 * the watch follows, which changes only when the watch is set up again — not against what a pass
 * parsed: a file replaced while a pass was parsing it is parsed at its new inode while the watch
 * still follows the old one (then its later in-place edits would go unseen for up to
 * `dag_dir_list_interval`).
 */
describe('DagsFolderWatcher.followedInode', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-watcher-'));
  const file = path.join(folder, 'sub', 'a.ts');
  const watcher = new DagsFolderWatcher(folder, 20, () => undefined);

  beforeAll(() => {
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'export {};\n');
    fs.mkdirSync(path.join(folder, '.git'));
    fs.writeFileSync(path.join(folder, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    watcher.ensure();
  });
  afterAll(() => {
    watcher.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('is the inode seen when the watch was set up, until it is set up again', () => {
    const armedAt = fs.statSync(file).ino;
    expect(watcher.followedInode(file)).toBe(armedAt);
    fs.writeFileSync(file, 'export const a = 1;\n'); // in place: the same inode
    expect(watcher.followedInode(file)).toBe(fs.statSync(file).ino);

    fs.writeFileSync(`${file}.tmp`, 'export const a = 2;\n');
    fs.renameSync(`${file}.tmp`, file); // replaced: the watch still follows the old inode
    expect(fs.statSync(file).ino).not.toBe(armedAt);
    expect(watcher.followedInode(file)).toBe(armedAt);

    const added = path.join(folder, 'b.ts');
    fs.writeFileSync(added, 'export {};\n');
    expect(watcher.followedInode(added)).toBeUndefined();

    watcher.rearm();
    expect(watcher.followedInode(file)).toBe(fs.statSync(file).ino);
    expect(watcher.followedInode(added)).toBe(fs.statSync(added).ino);
  });

  it('records nothing under what discovery never looks at (.git, node_modules): a change there re-arms', () => {
    expect(watcher.followedInode(path.join(folder, '.git', 'HEAD'))).toBeUndefined();
  });
});
