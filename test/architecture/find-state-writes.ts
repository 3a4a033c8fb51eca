import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Finds writes of a task instance's or DAG run's state in TypeScript sources, for the rule "every
 * state write is a named guarded transition in src/db/transitions". What counts as a write:
 *
 * - SQL text (string or template literal, wherever it is used) that runs `UPDATE task_instance …
 *   SET … state =` or `UPDATE dag_run … SET … state =`, or `INSERT INTO task_instance|dag_run`
 *   (creating a row gives it a state);
 * - TypeORM on TaskInstanceEntity / DagRunEntity (or the tables by name): a query builder's
 *   `.set({ state })`, `.values(…)` of an insert, a repository's or entity manager's
 *   `update(…, { state })`, and any `save`, `insert` or `upsert` of such rows.
 *
 * SQL assembled by concatenating strings is seen one piece at a time, so keep a state write's
 * `UPDATE … SET state` in one literal (as every transition does).
 *
 * The TypeORM part reads types (a `repo` variable holding `Repository<DagRunEntity>` is found
 * wherever it came from), so it builds a TypeScript program over the scanned files.
 */

export interface StateWrite {
  /** Path relative to the scanned root, with forward slashes. */
  file: string;
  line: number;
  /** What was found, e.g. "SQL UPDATE task_instance SET state" or "TypeORM DagRunEntity update". */
  what: string;
}

const ENTITY_BY_TABLE: Record<string, string> = { task_instance: 'TaskInstanceEntity', dag_run: 'DagRunEntity' };
const ENTITY_NAMES = new Set(Object.values(ENTITY_BY_TABLE));
const ENTITY_IN_TYPE = /\b(TaskInstanceEntity|DagRunEntity)\b/;
const SQL_UPDATE =
  /\bUPDATE\s+(task_instance|dag_run)\b(?:\s+(?!SET\b)\w+)?\s+SET\b([\s\S]*?)(?=\bWHERE\b|\bFROM\b|\bRETURNING\b|$)/gi;
const SQL_INSERT = /\bINSERT\s+INTO\s+(task_instance|dag_run)\b/gi;
const STATE_ASSIGNED = /(^|[\s,.])state\s*=/i;

export interface FindStateWritesOptions {
  /** The folder paths are reported relative to (the repository, or a fixture tree). */
  root: string;
  /** Files to scan (absolute paths). */
  files: string[];
  /** Files that may write state, as paths relative to root (e.g. under src/db/transitions/). */
  allowed: (relativePath: string) => boolean;
  compilerOptions: ts.CompilerOptions;
}

/** Every .ts file under `dir`, recursively. */
export function typeScriptFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...typeScriptFilesUnder(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** The compiler options of a tsconfig.json, as tsc would read them. */
export function compilerOptionsOf(tsconfigPath: string): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfigPath, (file) => ts.sys.readFile(file));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfigPath)).options;
}

export function findStateWrites(options: FindStateWritesOptions): StateWrite[] {
  // Only node's types: jest's are not needed to type src/, and each declaration file costs time.
  const compilerOptions = { ...options.compilerOptions, noEmit: true, types: ['node'] };
  const program = ts.createProgram({ rootNames: options.files, options: compilerOptions });
  const checker = program.getTypeChecker();
  const found: StateWrite[] = [];

  for (const file of options.files) {
    const relative = path.relative(options.root, file).split(path.sep).join('/');
    if (options.allowed(relative)) continue;
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`not in the program: ${file}`);
    const report = (node: ts.Node, what: string): void => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push({ file: relative, line: line + 1, what });
    };

    const visit = (node: ts.Node): void => {
      const sql = sqlText(node);
      if (sql !== null) for (const what of sqlStateWrites(sql)) report(node, what);
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const what = typeOrmStateWrite(checker, node, node.expression);
        if (what) report(node, what);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The text of a string or template literal (substitutions as `?`), else null. */
function sqlText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((s) => '?' + s.literal.text).join('');
  return null;
}

function sqlStateWrites(sql: string): string[] {
  const out: string[] = [];
  for (const match of sql.matchAll(SQL_UPDATE))
    if (STATE_ASSIGNED.test(match[2])) out.push(`SQL UPDATE ${match[1].toLowerCase()} SET state`);
  for (const match of sql.matchAll(SQL_INSERT)) out.push(`SQL INSERT INTO ${match[1].toLowerCase()}`);
  return out;
}

const WRITE_METHODS = new Set(['update', 'insert', 'save', 'upsert', 'set', 'values']);

function typeOrmStateWrite(
  checker: ts.TypeChecker,
  call: ts.CallExpression,
  callee: ts.PropertyAccessExpression,
): string | null {
  const method = callee.name.text;
  if (!WRITE_METHODS.has(method)) return null;
  const receiver = checker.typeToString(checker.getTypeAtLocation(callee.expression));
  const args = call.arguments;

  // Query builders: update(Entity).set({ state }) and insert().into(Entity).values(…).
  if (/^UpdateQueryBuilder</.test(receiver) && method === 'set') {
    const entity = entityOf(receiver) ?? entityOfChain(callee.expression, 'update');
    return entity && hasState(checker, args[0]) ? `TypeORM ${entity} update set state` : null;
  }
  if (/^InsertQueryBuilder</.test(receiver) && method === 'values') {
    const entity = entityOf(receiver) ?? entityOfChain(callee.expression, 'into');
    return entity ? `TypeORM ${entity} insert` : null;
  }

  // Repositories: repo.update(criteria, { state }), repo.save/insert/upsert(rows).
  if (/^Repository</.test(receiver)) {
    const entity = entityOf(receiver);
    if (!entity) return null;
    if (method === 'update') return hasState(checker, args[1]) ? `TypeORM ${entity} update state` : null;
    return method === 'set' || method === 'values' ? null : `TypeORM ${entity} ${method}`;
  }

  // The entity manager: manager.update(Entity, criteria, { state }), manager.save(row)…
  if (/^EntityManager\b/.test(receiver)) {
    const target = args[0] ? checker.typeToString(checker.getTypeAtLocation(args[0])) : '';
    const entity = entityOf(target) ?? tableEntity(args[0]);
    if (!entity) return null;
    if (method === 'update') return hasState(checker, args[2]) ? `TypeORM ${entity} update state` : null;
    return method === 'set' || method === 'values' ? null : `TypeORM ${entity} ${method}`;
  }
  return null;
}

function entityOf(typeText: string): string | null {
  return ENTITY_IN_TYPE.exec(typeText)?.[1] ?? null;
}

/** `'task_instance'` names TaskInstanceEntity; an identifier named like an entity names it. */
function tableEntity(node: ts.Node | undefined): string | null {
  if (!node) return null;
  if (ts.isStringLiteralLike(node)) return ENTITY_BY_TABLE[node.text] ?? null;
  if (ts.isIdentifier(node) && ENTITY_NAMES.has(node.text)) return node.text;
  return null;
}

/** Walks `a.update(X).where(…)` back to the `update`/`into` call and returns the entity X names. */
function entityOfChain(node: ts.Expression, method: string): string | null {
  let current: ts.Expression = node;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
    if (current.expression.name.text === method) return tableEntity(current.arguments[0]);
    current = current.expression.expression;
  }
  return null;
}

/** Whether the value written has a `state` property (in any branch of a union such as `c ? a : b`). */
function hasState(checker: ts.TypeChecker, node: ts.Expression | undefined): boolean {
  if (!node) return false;
  const type = checker.getTypeAtLocation(node);
  return (type.isUnion() ? type.types : [type]).some((t) => t.getProperty('state') !== undefined);
}
