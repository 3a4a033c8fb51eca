import type { CookieOptions, Request, Response } from 'express';
import { hmacBase64Url, safeEqual } from './crypto-helpers';

export const SESSION_COOKIE = 'dagctl_session';
/** Readable by the UI's scripts (not HttpOnly) so fetch calls can echo it in X-CSRF-Token. */
export const CSRF_COOKIE = 'dagctl_csrf';

/** Parse the Cookie header; malformed pairs are skipped, never thrown on. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

export function readCookie(req: Request, name: string): string | undefined {
  return parseCookies(req.headers.cookie)[name];
}

/** `value.signature`: the cookie cannot be forged or altered without the secret key. */
export function signValue(secret: string, value: string): string {
  return `${value}.${hmacBase64Url(secret, value)}`;
}

export function unsignValue(secret: string, signed: string): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  return safeEqual(signed.slice(dot + 1), hmacBase64Url(secret, value)) ? value : null;
}

export interface CookiePolicy {
  /** Always mark cookies Secure (the public URL is https). Otherwise follow `req.secure`. */
  forceSecure: boolean;
}

export function cookieOptions(req: Request, policy: CookiePolicy, httpOnly: boolean, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly,
    sameSite: 'lax',
    secure: policy.forceSecure || req.secure,
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

export function clearCookie(res: Response, req: Request, policy: CookiePolicy, name: string, httpOnly: boolean): void {
  res.clearCookie(name, cookieOptions(req, policy, httpOnly));
}
