import { StringDecoder } from 'node:string_decoder';
import type { SecretsMasker } from './secrets-masker';

/** A line longer than this is passed on in pieces (keeping a tail that may still be a secret's start). */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * Masks a stream of writes line by line: a secret split across two writes (`pass` then `word\n`)
 * is still found, because nothing is passed on before its line is complete. Bytes are decoded
 * with a StringDecoder, so a UTF-8 character split across writes survives too.
 */
export class MaskingLineBuffer {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly masker: SecretsMasker,
    private readonly emit: (text: string) => void,
  ) {}

  write(chunk: string | Uint8Array): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(Buffer.from(chunk));
    const lastNewline = this.pending.lastIndexOf('\n');
    if (lastNewline >= 0) {
      const complete = this.pending.slice(0, lastNewline + 1);
      this.pending = this.pending.slice(lastNewline + 1);
      this.emit(this.masker.mask(complete));
    }
    if (this.pending.length > MAX_PENDING_CHARS) this.passOnLongLine();
  }

  /** Everything still held, masked (end of the try, or before a line written around the buffer). */
  flush(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.emit(this.masker.mask(rest));
  }

  /**
   * Pass on all of a very long line but a tail as long as the longest secret form: whatever
   * starts in the tail may still grow into a secret. A cut never falls inside a complete match.
   */
  private passOnLongLine(): void {
    let cut = this.pending.length - Math.max(this.masker.longestForm, 1);
    for (const [start, end] of this.masker.matches(this.pending)) {
      if (start < cut && cut < end) cut = start;
    }
    // Never between the two halves of a surrogate pair (each half alone is not UTF-8).
    const code = this.pending.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    if (cut <= 0) return;
    this.emit(this.masker.mask(this.pending.slice(0, cut)));
    this.pending = this.pending.slice(cut);
  }
}
