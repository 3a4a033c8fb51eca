import type { DataSource } from 'typeorm';
import type { SerializedDag } from '../../core/serialized-dag';
import { DagEntity, SerializedDagEntity } from '../entities';

/**
 * Read side of serialized DAGs for the scheduler and the web server (which never import DAG
 * files). Parsed JSON is cached by `dag_hash`: each read asks the DB only for hashes and loads
 * `data` again only when a hash is new.
 */

export interface StoredSerializedDag {
  dag: SerializedDag;
  /** `serialized_dag.dag_hash`: changes with every new version of the DAG. */
  hash: string;
}

const MAX_CACHED = 5000;
const cache = new Map<string, SerializedDag>();

function remember(hash: string, dag: SerializedDag): void {
  cache.delete(hash);
  cache.set(hash, dag);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
}

function recall(hash: string): SerializedDag | undefined {
  const dag = cache.get(hash);
  if (dag) remember(hash, dag); // most recently used goes last
  return dag;
}

/** Drop every cached DAG (tests; or after restoring a DB backup). */
export function clearSerializedDagCache(): void {
  cache.clear();
}

/** The latest serialized version of one DAG (active or not), or null when it was never parsed. */
export async function getSerializedDag(dataSource: DataSource, dagId: string): Promise<StoredSerializedDag | null> {
  const repo = dataSource.getRepository(SerializedDagEntity);
  const row = await repo
    .createQueryBuilder('s')
    .select(['s.dagId', 's.dagHash'])
    .where('s.dagId = :dagId', { dagId })
    .getOne();
  if (!row) return null;
  const cached = recall(row.dagHash);
  if (cached) return { dag: cached, hash: row.dagHash };
  const full = await repo
    .createQueryBuilder('s')
    .select(['s.dagId', 's.dagHash', 's.data'])
    .where('s.dagId = :dagId', { dagId })
    .getOne();
  if (!full) return null;
  const dag = JSON.parse(full.data) as SerializedDag;
  remember(full.dagHash, dag);
  return { dag, hash: full.dagHash };
}

/** The current hash of every active DAG, by dag id: a cheap way to notice new versions. */
export async function listActiveDagHashes(dataSource: DataSource): Promise<Map<string, string>> {
  const rows: Array<{ dagId: string; hash: string }> = await dataSource
    .createQueryBuilder()
    .select('s.dag_id', 'dagId')
    .addSelect('s.dag_hash', 'hash')
    .from(SerializedDagEntity, 's')
    .innerJoin(DagEntity, 'd', 'd.dag_id = s.dag_id')
    .where('d.is_active = :active', { active: true })
    .orderBy('s.dag_id')
    .getRawMany();
  return new Map(rows.map((row) => [row.dagId, row.hash]));
}

/** Every active DAG's serialized form, sorted by dag id; only new versions are read and parsed. */
export async function listActiveSerializedDags(dataSource: DataSource): Promise<StoredSerializedDag[]> {
  const hashes = await listActiveDagHashes(dataSource);
  const missing = [...hashes].filter(([, hash]) => !cache.has(hash)).map(([dagId]) => dagId);
  const loaded = new Map<string, StoredSerializedDag>();
  for (let i = 0; i < missing.length; i += 500) {
    const chunk = missing.slice(i, i + 500);
    const rows = await dataSource
      .getRepository(SerializedDagEntity)
      .createQueryBuilder('s')
      .select(['s.dagId', 's.dagHash', 's.data'])
      .where('s.dagId IN (:...chunk)', { chunk })
      .getMany();
    for (const row of rows) {
      const dag = JSON.parse(row.data) as SerializedDag;
      remember(row.dagHash, dag);
      loaded.set(row.dagId, { dag, hash: row.dagHash });
    }
  }
  const result: StoredSerializedDag[] = [];
  for (const [dagId, hash] of hashes) {
    // A row re-read above may be newer than the hash listed first: take what was read.
    const fresh = loaded.get(dagId);
    if (fresh) result.push(fresh);
    else {
      const dag = recall(hash);
      if (dag) result.push({ dag, hash });
    }
  }
  return result;
}
