import crypto from 'node:crypto';
import { MicroCache } from '../../src/api/micro-cache';

describe('MicroCache', () => {
  it('keeps the body encoded once as UTF-8, with a weak ETag of its bytes', () => {
    const cache = new MicroCache(1000);
    const text = JSON.stringify({ dags: [{ dag_id: 'größe_✓' }], total_entries: 1 });
    const entry = cache.set('/dags', text, 0);
    expect(Buffer.isBuffer(entry.body)).toBe(true);
    expect(entry.body.toString('utf8')).toBe(text);
    expect(entry.etag).toBe(`W/"${crypto.createHash('sha1').update(text).digest('base64url')}"`);
    expect(cache.get('/dags', 999)).toBe(entry);
  });

  it('forgets an entry once its time is up, and everything on clear', () => {
    const cache = new MicroCache(1000);
    cache.set('/a', '[]', 0);
    cache.set('/b', '{}', 0);
    expect(cache.get('/a', 1000)).toBeUndefined();
    expect(cache.get('/b', 10)).toBeDefined();
    cache.clear();
    expect(cache.get('/b', 10)).toBeUndefined();
  });
});
