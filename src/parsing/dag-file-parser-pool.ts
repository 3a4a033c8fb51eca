import fs from 'node:fs';
import type { AuthoringDefaults } from '../authoring/authoring-defaults';
import { UserError } from '../core/errors';
import { DEFAULT_MAX_FILES_PER_CHILD } from './dag-processor-options';
import { FileParseResult } from './file-parse-result';
import { DEFAULT_PARSER_MAX_HEAP_MB, ParserChild } from './parser-child';

export interface DagFileParserPoolOptions {
  /** Compiled JS entry of the child (dist/parsing/parse-child-main.js). */
  entry: string;
  /** Children parsing in parallel. */
  size: number;
  importTimeoutMs: number;
  /** V8 heap cap of each child in MB (`scheduler.parser_max_heap`); 1024 when unset. */
  maxHeapMb?: number;
  /** What DAGs and tasks get for options they do not set (the config's defaults). */
  defaults?: AuthoringDefaults;
  /** A child is replaced after this many files: imported user modules are never freed. */
  maxFilesPerChild?: number;
  /** An idle child exits after this long, so a quiet processor holds no memory. */
  idleTimeoutMs?: number;
}

/** Raised by pending `parse` calls when the pool is closed. */
export class ParserPoolClosedError extends Error {
  constructor() {
    super('DAG file parser pool was closed');
    this.name = 'ParserPoolClosedError';
  }
}

interface Job {
  file: string;
  resolve: (result: FileParseResult) => void;
  reject: (err: Error) => void;
}

/**
 * Up to `size` parser children, each parsing files one after another. `parse(file)` resolves
 * with that file's result (an import error is a result, not a rejection), so one bad file never
 * affects another; it rejects only when the pool is closed.
 */
export class DagFileParserPool {
  private readonly children = new Set<ParserChild>();
  private readonly idle: ParserChild[] = [];
  private readonly idleTimers = new Map<ParserChild, NodeJS.Timeout>();
  private readonly queue: Job[] = [];
  private closed = false;
  private readonly maxFilesPerChild: number;
  private readonly idleTimeoutMs: number;
  /** Children started so far (observability and tests). */
  childrenStarted = 0;

  constructor(private readonly options: DagFileParserPoolOptions) {
    if (!fs.existsSync(options.entry)) {
      throw new UserError(`DAG parser entry ${options.entry} is missing: build dagctl first (npm run build)`);
    }
    this.maxFilesPerChild = options.maxFilesPerChild ?? DEFAULT_MAX_FILES_PER_CHILD;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** Children alive now: zero once the pool has been idle for `idleTimeoutMs`. */
  get size(): number {
    return this.children.size;
  }

  parse(file: string): Promise<FileParseResult> {
    if (this.closed) return Promise.reject(new ParserPoolClosedError());
    return new Promise<FileParseResult>((resolve, reject) => {
      this.queue.push({ file, resolve, reject });
      this.pump();
    });
  }

  /** Kill every child; queued and running parses reject with ParserPoolClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new ParserPoolClosedError());
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    this.idle.length = 0;
    for (const child of this.children) child.kill();
    this.children.clear();
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const child = this.takeIdle() ?? this.spawn();
      if (!child) return;
      const job = this.queue.shift()!;
      // A child's parse() resolves (null when the child died) and never rejects.
      void child.parse(job.file).then((result) => {
        if (this.closed) job.reject(new ParserPoolClosedError());
        else if (result) job.resolve(result);
        else this.queue.unshift(job); // the child died of another file's stray code: retry elsewhere
        this.release(child);
      });
    }
  }

  private takeIdle(): ParserChild | undefined {
    while (this.idle.length > 0) {
      const child = this.idle.pop()!;
      clearTimeout(this.idleTimers.get(child));
      this.idleTimers.delete(child);
      if (child.alive) return child;
      this.children.delete(child);
    }
    return undefined;
  }

  private spawn(): ParserChild | undefined {
    if (this.children.size >= this.options.size) return undefined;
    const child = new ParserChild({
      entry: this.options.entry,
      importTimeoutMs: this.options.importTimeoutMs,
      maxHeapMb: this.options.maxHeapMb ?? DEFAULT_PARSER_MAX_HEAP_MB,
      defaults: this.options.defaults,
    });
    this.childrenStarted += 1;
    this.children.add(child);
    return child;
  }

  private release(child: ParserChild): void {
    if (this.closed) return;
    if (!child.alive || child.filesParsed >= this.maxFilesPerChild) {
      child.retire();
      this.children.delete(child);
    } else {
      this.idle.push(child);
      const timer = setTimeout(() => {
        this.idleTimers.delete(child);
        const at = this.idle.indexOf(child);
        if (at >= 0) this.idle.splice(at, 1);
        this.children.delete(child);
        child.retire();
      }, this.idleTimeoutMs);
      timer.unref();
      this.idleTimers.set(child, timer);
    }
    this.pump();
  }
}
