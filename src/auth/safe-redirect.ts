/** Only same-site paths are followed after login: `/dags?x=1` yes, `//evil.com` or `https://…` no. */
export function safeRedirectTarget(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\\]/.test(next)) return fallback;
  return next;
}
