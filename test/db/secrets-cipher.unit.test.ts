import { errorMessage } from '../../src/core/errors';
import { ENCRYPTED_PREFIX, SecretsKeyring, generateFernetKey, parseFernetKeys } from '../../src/db/secrets-cipher';

describe('secrets cipher (AES-256-GCM, core.fernet_key)', () => {
  const key = generateFernetKey();

  it('round-trips text, including empty and non-ASCII values, with a fresh IV each time', () => {
    const ring = SecretsKeyring.fromConfig(key);
    for (const plain of ['s3cr3t', '', 'pässwörd ✓ {"a":1}', 'x'.repeat(10_000)]) {
      const sealed = ring.encrypt(plain);
      expect(sealed.startsWith(ENCRYPTED_PREFIX)).toBe(true);
      if (plain) expect(sealed).not.toContain(plain);
      expect(ring.decrypt(sealed)).toBe(plain);
    }
    expect(ring.encrypt('same')).not.toBe(ring.encrypt('same'));
  });

  it('passes through clear text written before encryption existed', () => {
    expect(SecretsKeyring.fromConfig(key).decrypt('legacy clear value')).toBe('legacy clear value');
  });

  it('encrypts with the first key and decrypts with any of several', () => {
    const oldKey = generateFernetKey();
    const newKey = generateFernetKey();
    const sealedOld = SecretsKeyring.fromConfig(oldKey).encrypt('v');
    const rotating = SecretsKeyring.fromConfig(`${newKey}, ${oldKey}`);
    expect(rotating.decrypt(sealedOld)).toBe('v');
    expect(SecretsKeyring.fromConfig(newKey).decrypt(rotating.encrypt('w'))).toBe('w');
  });

  it('a wrong key, an altered value or a missing key is a one-line error naming core.fernet_key', () => {
    const sealed = SecretsKeyring.fromConfig(key).encrypt('top-secret');
    const other = SecretsKeyring.fromConfig(generateFernetKey());
    expect(() => other.decrypt(sealed)).toThrow(/^core\.fernet_key does not decrypt/);
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => SecretsKeyring.fromConfig(key).decrypt(altered)).toThrow(/core\.fernet_key/);
    expect(() => SecretsKeyring.fromConfig('').decrypt(sealed)).toThrow(/^core\.fernet_key is not set/);
    expect(() => SecretsKeyring.fromConfig('').encrypt('x')).toThrow(/^core\.fernet_key is not set/);
    for (const fn of [() => other.decrypt(sealed), () => SecretsKeyring.fromConfig('').encrypt('x')]) {
      try {
        fn();
      } catch (err) {
        expect(errorMessage(err)).not.toContain('\n');
        expect(errorMessage(err)).not.toContain('top-secret');
        expect(errorMessage(err)).not.toContain(key);
      }
    }
  });

  it('refuses a malformed key without showing it', () => {
    expect(() => parseFernetKeys('too-short-key')).toThrow(/^core\.fernet_key: key 1 of 1 is not 32 bytes/);
    expect(() => parseFernetKeys(`${key},not a key!`)).toThrow(/key 2 of 2/);
    try {
      parseFernetKeys('too-short-key');
    } catch (err) {
      expect(errorMessage(err)).not.toContain('too-short-key');
    }
    expect(parseFernetKeys(` ${key} , ${generateFernetKey()} `)).toHaveLength(2);
    expect(parseFernetKeys('')).toHaveLength(0);
  });
});
