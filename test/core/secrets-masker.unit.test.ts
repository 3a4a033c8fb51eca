import fc from 'fast-check';
import { MaskingLineBuffer } from '../../src/core/masking-line-buffer';
import { MIN_MASKED_LENGTH, SecretsMasker } from '../../src/core/secrets-masker';

const secretArb = fc.string({ minLength: MIN_MASKED_LENGTH, maxLength: 24, unit: 'binary' });
const textArb = fc.string({ maxLength: 40, unit: 'binary' });

function maskerOf(...secrets: unknown[]): SecretsMasker {
  const masker = new SecretsMasker();
  secrets.forEach((secret) => masker.add(secret));
  return masker;
}

/** Everything a buffer emits for these writes, flushed at the end. */
function streamed(masker: SecretsMasker, writes: Array<string | Uint8Array>): string {
  let out = '';
  const buffer = new MaskingLineBuffer(masker, (text) => {
    out += text;
  });
  writes.forEach((chunk) => buffer.write(chunk));
  buffer.flush();
  return out;
}

/** Split text into pieces at the given cut points. */
function pieces(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const point of points) {
    out.push(text.slice(from, point));
    from = point;
  }
  out.push(text.slice(from));
  return out;
}

describe('SecretsMasker', () => {
  it('masks a secret wherever it appears, and its JSON-escaped and URL-encoded forms', () => {
    fc.assert(
      fc.property(secretArb, textArb, textArb, (secret, before, after) => {
        const masker = maskerOf(secret);
        for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
          expect(masker.mask(`${before}${form}${after}`)).not.toContain(form);
        }
      }),
    );
  });

  it('leaves text without secrets unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-m]{3,12}$/), fc.stringMatching(/^[n-z ]{0,40}$/), (secret, text) => {
        expect(maskerOf(secret).mask(text)).toBe(text);
      }),
    );
  });

  it('masks the examples a reader expects', () => {
    const masker = maskerOf('p@ss word"1', 'line-one\nline-two');
    expect(masker.mask('pw=p@ss word"1 end')).toBe('pw=*** end');
    expect(masker.mask('{"pw":"p@ss word\\"1"}')).toBe('{"pw":"***"}');
    expect(masker.mask('postgres://me:p%40ss%20word%221@db')).toBe('postgres://me:***@db');
    expect(masker.mask('a=p%40ss+word%221')).toBe('a=***');
    expect(masker.mask('key:\nline-two\n')).toBe('key:\n***\n');
  });

  it('does not mask values shorter than the minimum, nor empty values', () => {
    const masker = maskerOf('ab', '', null, 7);
    expect(masker.size).toBe(0);
    expect(masker.mask('ab 7 abc')).toBe('ab 7 abc');
  });

  it('masks a secret containing another one whole', () => {
    expect(maskerOf('secret', 'secret-longer').mask('x secret-longer y')).toBe('x *** y');
  });

  it('registers objects by their leaves and connection extras by their sensitive keys', () => {
    const masker = maskerOf({ a: ['leaf-one', { b: 12345 }] });
    masker.addSensitiveFields({ region: 'eu-west-1', nested: { api_key: 'k-123456' }, corp_word: 'zzz-top' }, [
      'corp_word',
    ]);
    expect(masker.mask('leaf-one 12345 k-123456 zzz-top eu-west-1')).toBe('*** *** *** *** eu-west-1');
  });

  it('masks JSON values deeply, sensitive keys whole', () => {
    const masker = maskerOf('hunter22');
    expect(masker.maskValue({ cmd: 'echo hunter22', n: [1, 'hunter22'], token: 'other', empty_token: '' })).toEqual({
      cmd: 'echo ***',
      n: [1, '***'],
      token: '***',
      empty_token: '',
    });
  });

  it('masks only the known secrets when key names are not to be used (XComs)', () => {
    expect(maskerOf('hunter22').maskValue({ token: 'other', pw: 'hunter22' }, null)).toEqual({
      token: 'other',
      pw: '***',
    });
  });
});

describe('MaskingLineBuffer', () => {
  it('masks a secret however the output is split into writes', () => {
    fc.assert(
      fc.property(
        secretArb.filter((s) => !s.includes('\n')),
        textArb,
        textArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (secret, before, after, cuts, asBytes) => {
          const masker = maskerOf(secret);
          const whole = `${before}${secret}${after}\n${secret}`;
          const chunks: Array<string | Uint8Array> = asBytes
            ? pieces(Buffer.from(whole, 'utf8').toString('latin1'), cuts).map((p) => Buffer.from(p, 'latin1'))
            : pieces(whole, cuts);
          const out = streamed(masker, chunks);
          expect(out).toBe(masker.mask(`${before}${secret}${after}\n`) + masker.mask(secret));
          expect(out).not.toContain(secret);
        },
      ),
    );
  });

  it('passes on very long lines without ever cutting a secret', () => {
    const masker = maskerOf('needle-secret');
    const line = `${'x'.repeat(70_000)}needle-secret${'y'.repeat(70_000)}needle-secret`;
    const chunks = pieces(line, [65_530, 65_540, 70_005, 140_010]);
    const out = streamed(masker, chunks);
    expect(out).not.toContain('needle-secret');
    expect(out).toBe(line.replaceAll('needle-secret', '***'));
  });
});
