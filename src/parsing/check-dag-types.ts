import fs from 'node:fs';
import path from 'node:path';
import type * as TypeScript from 'typescript';
import { sdkEntryPath } from '../authoring/sdk-entry';

/** One compiler error in a DAG file, 1-based line and column. */
export interface DagTypeError {
  file: string;
  line: number;
  column: number;
  message: string;
}

const TS_FILE = /\.(ts|mts|cts)$/;

/**
 * The TypeScript files of a DAG file or folder (recursively, without declaration files,
 * node_modules or hidden folders), sorted.
 */
export function findTypeScriptDagFiles(target: string): string[] {
  const stat = fs.statSync(target);
  // A YAML or JavaScript DAG file has nothing to type-check.
  if (stat.isFile()) return isTypeScriptFile(path.basename(target)) ? [path.resolve(target)] : [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (isTypeScriptFile(entry.name)) found.push(full);
    }
  };
  walk(path.resolve(target));
  return found.sort();
}

function isTypeScriptFile(name: string): boolean {
  return TS_FILE.test(name) && !/\.d\.[mc]?ts$/.test(name);
}

/**
 * Type-checks DAG files with the TypeScript compiler, `import … from 'dagctl'` resolving to the
 * types of this copy of the SDK, with strict settings. Returns the errors in the given files only
 * (the SDK's own files are not the user's to fix).
 */
export function checkDagTypes(files: readonly string[]): DagTypeError[] {
  // Loaded on demand: the compiler is large and only this command needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof TypeScript;
  const program = ts.createProgram({ rootNames: [...files], options: compilerOptions(ts) });
  const wanted = new Set(files.map((f) => path.resolve(f)));
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const source of program.getSourceFiles()) {
    if (!wanted.has(path.resolve(source.fileName))) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
  }
  return diagnostics.map((d) => toTypeError(ts, d)).sort(byPosition);
}

function compilerOptions(ts: typeof TypeScript): TypeScript.CompilerOptions {
  const packageRoot = path.dirname(path.dirname(sdkEntryPath()));
  const typeRoot = path.join(packageRoot, 'node_modules', '@types');
  const hasNodeTypes = fs.existsSync(path.join(typeRoot, 'node'));
  return {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    // What the DAG loader accepts: ES or CommonJS syntax, imports without extensions.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    paths: { dagctl: [sdkTypesPath()] },
    typeRoots: [typeRoot],
    types: hasNodeTypes ? ['node'] : [],
  };
}

/** The SDK's types: src/index.ts from a checkout under a TypeScript runner, else dist/index.d.ts. */
function sdkTypesPath(): string {
  const entry = sdkEntryPath();
  return entry.endsWith('.ts') ? entry : entry.replace(/\.js$/, '.d.ts');
}

function toTypeError(ts: typeof TypeScript, diagnostic: TypeScript.Diagnostic): DagTypeError {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ');
  if (!diagnostic.file || diagnostic.start === undefined) return { file: '', line: 0, column: 0, message };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return { file: diagnostic.file.fileName, line: line + 1, column: character + 1, message };
}

function byPosition(a: DagTypeError, b: DagTypeError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}
