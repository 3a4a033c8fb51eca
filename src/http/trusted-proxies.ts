import net from 'node:net';
import { InvalidArgumentError } from '../core/errors';

/**
 * `webserver.trusted_proxies`: a comma-separated list of IP addresses and CIDR ranges of reverse
 * proxies. Only a peer in this list may say, with `X-Forwarded-For` (and `X-Forwarded-Proto`), who
 * the client is; from anyone else the header is ignored, so a client cannot pick the address its
 * failed logins are counted against. Empty (the default): the peer address is the client.
 */
export function parseTrustedProxies(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (!family || !prefixOk || extra !== undefined)
      throw new InvalidArgumentError(
        `webserver.trusted_proxies: '${entry}' is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, ::1)`,
      );
  }
  return entries;
}
