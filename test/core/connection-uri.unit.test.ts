import { InvalidArgumentError } from '../../src/core/errors';
import { connectionToUri, parseConnectionUri } from '../../src/core/connection-uri';

describe('connection URIs', () => {
  it('round-trip every field, with escaping and JSON extras', () => {
    const fields = {
      connType: 'google_cloud',
      host: 'h.example',
      login: 'me@corp',
      password: 'a:b/c',
      schema: 'db',
      port: 1234,
      extra: '{"nested":{"x":1}}',
    };
    const uri = connectionToUri(fields);
    expect(uri.startsWith('google-cloud://me%40corp:a%3Ab%2Fc@h.example:1234/db?__extra__=')).toBe(true);
    expect(parseConnectionUri(uri)).toEqual(fields);
  });

  it('parse string extras from query parameters and minimal URIs', () => {
    expect(parseConnectionUri('http://api.local/?token_header=X-Key')).toEqual({
      connType: 'http',
      host: 'api.local',
      login: null,
      password: null,
      schema: null,
      port: null,
      extra: '{"token_header":"X-Key"}',
    });
    expect(parseConnectionUri('sqlite://')).toMatchObject({ connType: 'sqlite', host: null });
    expect(() => parseConnectionUri('not a uri')).toThrow(InvalidArgumentError);
  });
});
