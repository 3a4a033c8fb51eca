import crypto from 'node:crypto';

interface Entry {
  /** The serialized response, encoded once: sending a string would encode it again for every hit. */
  body: Buffer;
  etag: string;
  expiresAt: number;
}

/**
 * A tiny cache of serialized responses for hot list endpoints (GET /dags with 1,000 DAGs under
 * dozens of polling clients). Entries live `ttlMs` (1 s); every successful write through the API
 * clears it, so only changes made by other processes can show up to `ttlMs` late.
 */
export class MicroCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 1000,
    private readonly maxEntries = 200,
  ) {}

  get(key: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry;
    if (entry) this.entries.delete(key);
    return undefined;
  }

  set(key: string, body: string, now = Date.now()): Entry {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const bytes = Buffer.from(body, 'utf8');
    const entry = {
      body: bytes,
      etag: `W/"${crypto.createHash('sha1').update(bytes).digest('base64url')}"`,
      expiresAt: now + this.ttlMs,
    };
    this.entries.set(key, entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}
