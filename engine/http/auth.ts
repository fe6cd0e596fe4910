import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The `http.auth` section as configured: names of environment variables, never the secrets. */
export interface HttpAuthSettings {
  /** Holds the bearer token; `DRIFTLESS_HTTP_TOKEN` when not configured. */
  tokenFromEnv?: string | undefined;
  basic?: { userFromEnv: string; passwordFromEnv: string } | undefined;
  /** Protects /metrics with the same credentials (default: /metrics stays open for scrapers). */
  protectMetrics: boolean;
}

/** Credentials read from the environment. */
export interface HttpCredentials {
  token?: string | undefined;
  basic?: { user: string; password: string } | undefined;
  protectMetrics: boolean;
}

/** The variable holding the bearer token when `tokenFromEnv` is not configured. */
export const DEFAULT_TOKEN_VARIABLE = 'DRIFTLESS_HTTP_TOKEN';

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Reads the credentials from the environment; problems name the variable (never a value).
 * No credential at all is not a problem here: whether one is needed depends on the address.
 */
export function resolveHttpCredentials(
  settings: HttpAuthSettings,
  env: NodeJS.ProcessEnv,
): { credentials: HttpCredentials | undefined; problems: string[] } {
  const problems: string[] = [];
  const tokenVar = settings.tokenFromEnv ?? DEFAULT_TOKEN_VARIABLE;
  const token = env[tokenVar] || undefined;
  if (settings.tokenFromEnv && !token) problems.push(`environment variable ${tokenVar} (http.auth.tokenFromEnv, the API token) is not set`);
  if (token !== undefined && token.length < 16) problems.push(`the API token in ${tokenVar} is too short: use at least 16 characters`);
  let basic: HttpCredentials['basic'];
  if (settings.basic) {
    const user = env[settings.basic.userFromEnv] || undefined;
    const password = env[settings.basic.passwordFromEnv] || undefined;
    if (!user) problems.push(`environment variable ${settings.basic.userFromEnv} (http.auth.basic.userFromEnv) is not set`);
    if (!password) problems.push(`environment variable ${settings.basic.passwordFromEnv} (http.auth.basic.passwordFromEnv) is not set`);
    if (user?.includes(':')) problems.push(`the user name in ${settings.basic.userFromEnv} must not contain ":"`);
    if (user && password) basic = { user, password };
  }
  const credentials = token || basic ? { token, basic, protectMetrics: settings.protectMetrics } : undefined;
  return { credentials, problems };
}

/** The problem that stops a daemon listening beyond loopback without credentials, else undefined. */
export function exposureProblem(host: string, credentials: HttpCredentials | undefined): string | undefined {
  if (isLoopbackHost(host) || credentials) return undefined;
  return (
    `http.host ${host} accepts connections from other machines, but no API credentials are set: ` +
    `set ${DEFAULT_TOKEN_VARIABLE} (or the variable named by http.auth.tokenFromEnv), or http.auth.basic, ` +
    'or listen on 127.0.0.1'
  );
}

/** Equal in constant time (both sides hashed first, so lengths leak nothing either). */
function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

const COOKIE = 'driftless_session';

/** The session cookie's value: derived from the token, so it changes when the token does and never holds it. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('driftless dashboard session v1').digest('base64url');
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Whether a request carries one of the credentials: bearer token, basic user/password, or the session cookie. */
export function authorized(c: HttpCredentials, headers: { authorization?: string | undefined; cookie?: string | undefined }): boolean {
  const auth = headers.authorization ?? '';
  let ok = false;
  // Every configured check runs, so timing does not tell which one matched.
  if (c.token) {
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    ok = same(bearer ?? '', c.token) || ok;
    const session = cookieOf(headers.cookie, COOKIE);
    ok = same(session ?? '', sessionValue(c.token)) || ok;
  }
  if (c.basic) {
    const encoded = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth)?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    const userOk = same(i >= 0 ? decoded.slice(0, i) : '', c.basic.user);
    const passwordOk = same(i >= 0 ? decoded.slice(i + 1) : '', c.basic.password);
    ok = (userOk && passwordOk && i >= 0) || ok;
  }
  return ok;
}

/** Paths that stay open: probes, and the webhooks (each verifies its own signature). */
function isOpen(path: string, c: HttpCredentials): boolean {
  if (path === '/healthz' || path === '/readyz' || path === '/login') return true;
  if (path === '/metrics') return !c.protectMetrics;
  return path.startsWith('/api/webhooks/');
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>driftless — sign in</title><style>body{font:16px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9;color:#1b1f24;display:grid;place-items:center;min-height:90vh}
form{background:#fff;border:1px solid #c9ced6;border-radius:8px;padding:24px;display:grid;gap:12px;min-width:300px}input,button{font:inherit;padding:8px}
button{background:#0b5cad;color:#fff;border:0;border-radius:4px}:focus-visible{outline:3px solid #f5a623;outline-offset:2px}</style></head>
<body><main><form method="post" action="/login"><h1>driftless</h1><label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus><button type="submit">Sign in</button></form></main></body></html>`;

/**
 * Protects everything but the open paths with the credentials (an `onRequest` hook, so
 * it runs before any route, the dashboard's included). A browser with a token signs in
 * once through `POST /login` and gets an HttpOnly, SameSite=Strict session cookie that
 * EventSource sends too; basic auth uses the browser's own prompt. Credentials are never
 * logged.
 */
export function installAuth(app: FastifyInstance, c: HttpCredentials): void {
  const challenge = c.basic ? 'Basic realm="driftless", charset="UTF-8"' : 'Bearer realm="driftless"';
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (isOpen(path, c)) return;
    if (authorized(c, { authorization: req.headers.authorization, cookie: req.headers.cookie })) return;
    reply.header('www-authenticate', challenge).header('cache-control', 'no-store');
    // A person opening the dashboard gets the token sign-in form (after the browser's own prompt, with basic auth too).
    if (!path.startsWith('/api/') && req.method === 'GET' && c.token && (req.headers.accept ?? '').includes('text/html'))
      return reply.code(401).type('text/html; charset=utf-8').send(LOGIN_PAGE);
    return reply.code(401).send({ error: 'authentication required: send Authorization: Bearer <token> (or basic credentials)' });
  });
  if (!c.token) return;
  const token = c.token;
  app.register((scope, _opts, done) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, next) =>
      next(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.post('/login', async (req, reply) => {
      const given = (req.body as { token?: unknown } | undefined)?.token;
      if (typeof given !== 'string' || !same(given, token))
        return reply.code(401).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(LOGIN_PAGE);
      const secure = req.protocol === 'https' ? '; Secure' : '';
      return reply.header('set-cookie', `${COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict${secure}`).redirect('/', 303);
    });
    done();
  });
}
