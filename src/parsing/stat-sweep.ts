import fs from 'node:fs';
import path from 'node:path';
import { discoverDagFiles } from './discover-dag-files';
import { FileStatKey, sameStat, statKeyOf } from './file-change-tracker';

interface Listing {
  files: string[];
  symlinkedFolders: number;
  /** DAG files that are symlinks: stat-ed every sweep, as no walked folder shows their target replaced. */
  symlinkedFiles: Set<string>;
  inputs: Map<string, FileStatKey>;
}

/**
 * How many sweeps, the one that found it changed included, stat every file of a folder whose
 * entries changed. Folder timestamps may be coarse (a second on some file systems): a file
 * replaced just after a sweep stat-ed its folder can leave the folder's stat as that sweep saw it,
 * so the next sweeps look at the folder's files as well.
 */
const HOT_FOLDER_SWEEPS = 3;

/**
 * The safety net under the file-system watch: lists the dags folder and stats DAG files (no
 * reads), and says whether anything differs from the previous sweep or from what was synced —
 * a new file, a vanished one, or another inode, size, mtime or ctime. It catches what the watch
 * misses (replaced files, renamed folders, network mounts).
 *
 * `shares` spreads the stats over sweeps: each sweep lists the whole folder (new and vanished
 * files are seen at once; an unchanged folder is known from one stat per folder, see listFiles)
 * but stats only every `shares`-th file in turn, so every file is stat-ed
 * once per `shares` sweeps. With 1 (no watch to rely on) every file is stat-ed every sweep; while
 * a watch reports in-place writes the manager passes more, since a sweep of 1000 files each
 * second costs more CPU than an idle scheduler is allowed. Whatever its turn, a file is stat-ed by
 * the sweeps that find its folder changed (and the next two, see HOT_FOLDER_SWEEPS): replacing a
 * file (a rename over it, delete and re-create, `git checkout`) changes its folder's entries, where
 * an in-place write does not, so a replacement the watch missed is found at once, not a round of
 * shares later. A DAG file that is a symlink is stat-ed every sweep.
 *
 * A sweep's stats are asked all at once (statEach): awaited one by one, each cost a thread-pool
 * round trip (futex hand-offs, an eventfd write and read, an event-loop wake-up) several times the
 * stat itself — most of an idle scheduler's CPU. While the listing is the one of the last sweep,
 * the previous stats are updated in place rather than copied into a new map.
 */
export class StatSweep {
  private previous: Map<string, FileStatKey> | null = null;
  /** Each file's share, given round-robin when first listed, so a file keeps its turn as others come and go. */
  private readonly slots = new Map<string, number>();
  private nextSlot = 0;
  private turn = 0;
  /** The last walk of the folder, reused while none of the folders and ignore files it read changed. */
  private listing: Listing | null = null;
  /** The listing the last sweep went through (its files are the keys of `previous`). */
  private sweptListing: Listing | null = null;
  /** Folders whose entries changed lately, with the sweeps left that stat all their files. */
  private readonly hotFolders = new Map<string, number>();

  constructor(private readonly dagsFolder: string) {}

  /**
   * The DAG files of the folder. A walk reads every folder and ignore file; checking that none of
   * them changed takes one stat each, so an unchanged folder costs a few stats per sweep instead
   * of a walk.
   */
  private async listFiles(): Promise<Listing> {
    if (this.listing && (await unchanged(this.listing.inputs))) return this.listing;
    const info = { symlinkedFolders: 0, inputs: new Map<string, FileStatKey>(), symlinkedFiles: new Set<string>() };
    const files = await discoverDagFiles(this.dagsFolder, info);
    this.listing = {
      files,
      symlinkedFolders: info.symlinkedFolders,
      symlinkedFiles: info.symlinkedFiles,
      inputs: info.inputs,
    };
    return this.listing;
  }

  /**
   * Files that changed since the last sweep, or whose stat differs from `synced(file)` (what the
   * processor last synced, undefined when it has not). The first sweep stats every file and
   * compares with `synced` only. Files under symlinked folders (which the watch does not cover)
   * make the sweep stat every file.
   */
  async changedFiles(synced: (file: string) => FileStatKey | undefined, shares = 1): Promise<string[]> {
    const listing = await this.listFiles();
    const { files, symlinkedFolders } = listing;
    const spread = symlinkedFolders > 0 ? 1 : Math.max(1, Math.floor(shares));
    const previous = this.previous;
    // Same walk as last sweep: the same files, so no new or vanished ones and no new map to build.
    const sameFiles = previous !== null && listing === this.sweptListing;
    if (!sameFiles && this.sweptListing)
      for (const input of changedInputs(this.sweptListing, listing)) this.hotFolders.set(input, HOT_FOLDER_SWEEPS);
    this.sweptListing = listing;
    const hot = this.takeHotFolders();
    const { symlinkedFiles } = listing;
    const current = sameFiles ? previous : new Map<string, FileStatKey>();
    const changed: string[] = [];
    const turn = this.turn % spread;
    this.turn = turn + 1;
    const share: string[] = [];
    for (const file of files) {
      const before = previous?.get(file);
      const offTurn = before && spread > 1 && this.slotOf(file) % spread !== turn;
      if (offTurn && !symlinkedFiles.has(file) && !hot?.has(path.dirname(file))) {
        if (!sameFiles) current.set(file, before); // not this sweep's share: stat-ed on its own turn
        continue;
      }
      share.push(file);
    }
    await statEach(share, (i, stat) => {
      const file = share[i];
      const before = previous?.get(file);
      if (!stat) {
        // Vanished since the listing: gone, as a file missing from a new listing is.
        if (sameFiles && before) {
          current.delete(file);
          this.slots.delete(file);
          changed.push(file);
        }
        return;
      }
      // The usual case, nothing changed: keep the key already stored (no new object each second).
      const key = before && sameStat(before, stat) ? before : statKeyOf(stat);
      if (key !== before || !sameFiles) current.set(file, key);
      const known = synced(file);
      const isNew = previous ? !before : !known;
      if (isNew || (before && key !== before) || (known && !sameStat(known, key))) changed.push(file);
    });
    if (!sameFiles) {
      for (const file of previous?.keys() ?? []) {
        if (current.has(file)) continue;
        changed.push(file);
        this.slots.delete(file);
      }
    }
    this.previous = current;
    return changed;
  }

  /** The folders whose files this sweep stats whatever their turn (null: none), counting the sweep. */
  private takeHotFolders(): Set<string> | null {
    if (this.hotFolders.size === 0) return null;
    const hot = new Set(this.hotFolders.keys());
    for (const [folder, left] of this.hotFolders) {
      if (left <= 1) this.hotFolders.delete(folder);
      else this.hotFolders.set(folder, left - 1);
    }
    return hot;
  }

  private slotOf(file: string): number {
    let slot = this.slots.get(file);
    if (slot === undefined) {
      slot = this.nextSlot++;
      this.slots.set(file, slot);
    }
    return slot;
  }
}

/**
 * Stats every path at once and calls `each` with its index and stat (null for one that is gone).
 * All asked together, so the thread pool serves them together and the event loop wakes for the
 * batch, where one `await` per stat paid a thread-pool round trip each (several times the stat
 * itself); and through the callback API, whose requests cost less than fs.promises' (one promise
 * for the batch instead of one per path, no FileHandle-style promise machinery). Never a
 * synchronous stat: a dags folder on a hung mount must not stall the scheduler's loop.
 */
function statEach(paths: readonly string[], each: (index: number, stat: fs.Stats | null) => void): Promise<void> {
  return new Promise((resolve) => {
    let left = paths.length;
    if (left === 0) return resolve();
    paths.forEach((file, i) =>
      fs.stat(file, (err, stat) => {
        each(i, err ? null : stat);
        left -= 1;
        if (left === 0) resolve();
      }),
    );
  });
}

/** The folders and ignore files of `now` that `before` did not read with the same stat. */
function changedInputs(before: Listing, now: Listing): Set<string> {
  const changed = new Set<string>();
  for (const [input, key] of now.inputs) {
    const old = before.inputs.get(input);
    if (!old || !sameStat(old, key)) changed.add(input);
  }
  return changed;
}

/** Whether every path still has the stat recorded for it (a vanished one has not). */
async function unchanged(inputs: Map<string, FileStatKey>): Promise<boolean> {
  const paths = [...inputs.keys()];
  let same = true;
  await statEach(paths, (i, stat) => {
    if (!stat || !sameStat(inputs.get(paths[i])!, stat)) same = false;
  });
  return same;
}
