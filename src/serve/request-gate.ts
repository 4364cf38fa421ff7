/**
 * Who may talk to the dashboard, decided before any route: a request the URL parser cannot read gets 400; on
 * loopback, a Host that is not the loopback address the server listens on gets 421 (a page on another site that
 * rebinds its own name to 127.0.0.1 would otherwise read the run: DNS rebinding); off loopback, every request needs
 * the token, compared in constant time. The token is given once, in the URL DataStorm prints: that visit sets a cookie
 * (HttpOnly, SameSite=Strict) and is redirected to the bare URL, so the address bar, the page's own requests and
 * whatever a user copies from it carry no token; Prometheus sends it as `Authorization: Bearer`.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const TOKEN_COOKIE = 'datastorm_token';

export type GateVerdict =
  | { pass: true; url: URL }
  | { pass: false; status: number; body: string; headers?: Record<string, string> };

export interface GateOptions {
  /** Set off loopback. */
  token: string | undefined;
  loopback: boolean;
  port: () => number;
}

/** Equal strings, compared in time that depends only on their lengths. */
function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The Host values a loopback server answers: its addresses with its port (a browser sends the port it used). */
function loopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function gate(req: http.IncomingMessage, o: GateOptions): GateVerdict {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://dashboard');
  } catch {
    return { pass: false, status: 400, body: 'bad request\n' };
  }
  if (o.loopback && !loopbackHost(req.headers.host, o.port()))
    return { pass: false, status: 421, body: 'this dashboard answers on its loopback address only\n' };
  if (!o.token) return { pass: true, url };
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (sameSecret(bearer, o.token) || sameSecret(cookieToken(req.headers.cookie), o.token)) return { pass: true, url };
  if (url.pathname === '/' && sameSecret(url.searchParams.get('token') ?? undefined, o.token))
    return {
      pass: false,
      status: 303,
      body: '',
      headers: {
        'Set-Cookie': `${TOKEN_COOKIE}=${o.token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
      },
    };
  return { pass: false, status: 401, body: 'token needed\n' };
}
