import { runInTransaction } from '../db/transaction';
import type { DataSource } from 'typeorm';
import type { SerializedDag } from '../core/serialized-dag';
import { claimDagRow } from './claim-dag-row';
import { contentHash } from '../core/content-hash';
import { deactivateFileDags } from './deactivate-file-dags';
import type { FileParseResult } from './file-parse-result';
import { recordImportError } from './record-import-error';
import { deleteDagCode, upsertDagCode } from './upsert-dag-code';
import { upsertSerializedDag } from './upsert-serialized-dag';
import { datasetRefsOf, syncDagDatasetReferences } from '../db/dataset-references';

export interface SyncOptions {
  /** `core.dags_are_paused_at_creation`: the paused flag of DAGs seen for the first time. */
  pausedAtCreation: boolean;
  /** Hash of the config defaults the file was parsed with (authoringDefaultsHash), kept in `dag_code`. */
  defaultsHash: string;
  now: Date;
}

/** What one file's sync changed in the metadata DB. */
export interface FileSyncOutcome {
  file: string;
  /** DAGs this file now defines and owns (active). */
  activeDagIds: string[];
  /** DAGs whose serialized form was written (new or a new version). */
  changedDagIds: string[];
  /** DAGs of this file made inactive (no longer defined, or the file failed to import). */
  deactivatedDagIds: string[];
  /** The import error recorded for the file, or null. */
  importError: string | null;
  /** True when some DAG id was refused because another file defines it (worth re-parsing later). */
  duplicateConflict: boolean;
}

/** JSON text and hash of a DAG as stored in `serialized_dag`. */
export function storedForm(dag: SerializedDag): { data: string; dagHash: string } {
  const data = JSON.stringify(dag);
  return { data, dagHash: contentHash(data) };
}

/**
 * Write one parsed file's outcome in one transaction: claim and refresh its `dag` rows, store new
 * serialized versions, its source in `dag_code`, its import error (or clear it), and deactivate
 * the DAGs it no longer defines. A DAG id another file already defines is refused with an import
 * error on this file; the other file keeps it.
 */
export async function syncParsedFile(
  dataSource: DataSource,
  result: FileParseResult,
  options: SyncOptions,
): Promise<FileSyncOutcome> {
  const file = result.file;
  const problems: string[] = result.error ? [result.error] : [];
  const unique = new Map<string, SerializedDag>();
  for (const dag of result.dags) {
    if (unique.has(dag.dagId)) problems.push(`DAG '${dag.dagId}' is defined more than once in this file`);
    else unique.set(dag.dagId, { ...dag, fileloc: file });
  }
  // Sorted, so concurrent processors lock dag rows in the same order.
  const dags = [...unique.values()].sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0));

  return runInTransaction(dataSource, async (em) => {
    const activeDagIds: string[] = [];
    const changedDagIds: string[] = [];
    let duplicateConflict = false;
    for (const dag of dags) {
      const claim = await claimDagRow(em, dag, file, options);
      if (!claim.owned) {
        duplicateConflict = true;
        problems.push(`DAG '${dag.dagId}' is already defined in ${claim.otherFile}`);
        continue;
      }
      activeDagIds.push(dag.dagId);
      const { data, dagHash } = storedForm(dag);
      const changed = await upsertSerializedDag(em, {
        dagId: dag.dagId,
        fileloc: file,
        data,
        dagHash,
        now: options.now,
      });
      if (changed) changedDagIds.push(dag.dagId);
      // Also for an unchanged DAG that names datasets: its references may predate the dataset tables.
      const refs = datasetRefsOf(dag);
      if (changed || refs.scheduleUris.length > 0 || refs.outlets.length > 0)
        await syncDagDatasetReferences(em, refs, options.now);
    }
    const deactivatedDagIds = await deactivateFileDags(em, file, activeDagIds);
    if (activeDagIds.length > 0) await upsertDagCode(em, file, result.source, options.defaultsHash, options.now);
    else await deleteDagCode(em, file);
    const importError = problems.length > 0 ? problems.join('; ') : null;
    await recordImportError(em, file, importError, options.now);
    return { file, activeDagIds, changedDagIds, deactivatedDagIds, importError, duplicateConflict };
  });
}
