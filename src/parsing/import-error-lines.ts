/** How many import errors the scheduler's console names after a parse pass; the rest are counted. */
export const NAMED_IMPORT_ERRORS = 5;

/**
 * The console lines naming a pass's import errors: file and the first line of its error, the
 * first few only, then how many more and where to see them all.
 */
export function importErrorLines(importErrors: Record<string, string>, limit = NAMED_IMPORT_ERRORS): string[] {
  const files = Object.keys(importErrors).sort();
  const lines = files.slice(0, limit).map((file) => {
    const first = importErrors[file].split('\n').find((line) => line.trim() !== '') ?? '';
    return `import error in ${file}: ${first.trim()}`;
  });
  if (files.length > limit) {
    lines.push(`and ${files.length - limit} more import errors (dagctl dags list-import-errors shows them all)`);
  }
  return lines;
}
