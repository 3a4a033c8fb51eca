import path from 'node:path';
import { distEntry } from '../../src/core/dist-path';
import { DagFileParserPool, type DagFileParserPoolOptions } from '../../src/parsing/dag-file-parser-pool';
import type { FileParseResult } from '../../src/parsing/file-parse-result';
import { present } from '../helpers/eventually';
import { DagFolder } from './dag-folder-fixture';

/** What each test of the enclosing describe gets; valid inside tests and the hooks declared after it. */
export interface ParserPoolFixture {
  /** The test's own dags folder, removed after it. */
  readonly folder: DagFolder;
  /** A pool of real parser children forked from dist/ (run `npm run build` first), closed after the test. */
  pool(options: Omit<DagFileParserPoolOptions, 'entry'>): DagFileParserPool;
}

/** Gives every test of the enclosing describe a fresh dags folder, and closes the parser pools it opened. */
export function parserPoolForEachTest(): ParserPoolFixture {
  let folder: DagFolder | undefined;
  const pools: DagFileParserPool[] = [];
  beforeEach(() => {
    folder = new DagFolder();
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.close();
    folder?.cleanup();
    folder = undefined;
  });
  return {
    get folder() {
      return present(folder, 'parserPoolForEachTest: the dags folder (there only inside a test or its hooks)');
    },
    pool(options) {
      const pool = new DagFileParserPool({ entry: distEntry('parsing/parse-child-main'), ...options });
      pools.push(pool);
      return pool;
    },
  };
}

/** Parses the files concurrently (queued in this order) and returns each result by its file's base name. */
export async function parseByName(
  pool: DagFileParserPool,
  files: readonly string[],
): Promise<Record<string, FileParseResult>> {
  const results = await Promise.all(files.map((file) => pool.parse(file)));
  return Object.fromEntries(results.map((r) => [path.basename(r.file), r]));
}
