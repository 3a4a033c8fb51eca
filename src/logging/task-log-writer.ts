import fs from 'node:fs';
import path from 'node:path';

export interface TaskLogWriterOptions {
  /** The attempt's log is cut off beyond this many bytes (existing content included). */
  maxBytes: number;
  /** Called once if the file cannot be written (disk full, permissions); later writes are dropped. */
  onError?: (err: Error) => void;
}

/**
 * Appends one attempt's output to its log file. Writes go straight to the file descriptor (no
 * buffering, so nothing is lost if the process is killed), and output beyond `maxBytes` is
 * dropped after a single notice line instead of being kept in memory.
 */
export class TaskLogWriter {
  private fd: number | null;
  private written: number;
  private truncatedFlag = false;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly options: TaskLogWriterOptions,
  ) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(file, 'a');
      this.written = fs.fstatSync(this.fd).size;
    } catch (err) {
      this.fd = null;
      this.written = 0;
      this.fail(err as Error);
    }
  }

  get bytesWritten(): number {
    return this.written;
  }

  get truncated(): boolean {
    return this.truncatedFlag;
  }

  /** Task output: counted against the cap. */
  write(chunk: string | Uint8Array): void {
    if (this.fd === null || this.truncatedFlag) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const room = this.options.maxBytes - this.written;
    if (data.length <= room) {
      this.raw(data);
      return;
    }
    if (room > 0) this.raw(data.subarray(0, room));
    this.truncatedFlag = true;
    this.raw(
      Buffer.from(
        `\n[dagctl] log truncated: this attempt's output exceeded ${this.options.maxBytes} bytes; ` +
          'the rest was dropped\n',
      ),
    );
  }

  /** dagctl's own lines (header, outcome): always written, they are small and bounded. */
  writeSystem(line: string): void {
    if (this.fd === null) return;
    this.raw(Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8'));
  }

  /** Writes are unbuffered, so closing is all the flushing needed (no fsync: it would cost ms per try). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private raw(data: Uint8Array): void {
    if (this.fd === null) return;
    try {
      let offset = 0;
      while (offset < data.length) offset += fs.writeSync(this.fd, data, offset, data.length - offset);
      this.written += data.length;
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already broken
      }
      this.fd = null;
    }
    this.options.onError?.(err);
  }
}
