/**
 * A secured front for the real test registry: https with a CA and certificate made here by openssl, and HTTP basic
 * authentication, passing every authorised request on to the registry as it came. What a registry behind a
 * corporate gateway looks like to DataStorm; the registry behind it is the real one.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

export interface TlsFront {
  url: string;
  ca: string;
  close: () => void;
}

export async function startTlsFront(target: string, user: string, password: string): Promise<TlsFront> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-tls-front-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('key.pem'),
    '-out',
    file('csr.pem'),
  );
  fs.writeFileSync(file('ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('csr.pem'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('ext'),
    '-out',
    file('cert.pem'),
  );
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const upstream = new URL(target);
  const server = https.createServer(
    { key: fs.readFileSync(file('key.pem')), cert: fs.readFileSync(file('cert.pem')) },
    (req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error_code":401,"message":"Unauthorized"}');
        return;
      }
      const { authorization: _, host: __, ...headers } = req.headers;
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `https://127.0.0.1:${port}${upstream.pathname}`, ca: file('ca.pem'), close: () => server.close() };
}
