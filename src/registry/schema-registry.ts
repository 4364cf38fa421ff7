/**
 * A client of the Confluent Schema Registry REST API (what Confluent's serializers call; Apicurio answers it at
 * /apis/ccompat/v7): register a schema under a subject and get its id; read a subject's versions and schemas by id.
 * Bounded: every request gives up after REQUEST_TIMEOUT_MS, so an unreachable registry is said within seconds. The
 * credentials go in headers and are never shown: errors name the URL's host and the status only.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { DataStormError } from '../errors.js';
import type { RegistrySettings } from './registry-options.js';

const REQUEST_TIMEOUT_MS = 5000;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface RegisteredSchema {
  id: number;
  schema: string;
  schemaType: SchemaType;
}

export class SchemaRegistry {
  private readonly byId = new Map<number, RegisteredSchema>();
  private readonly tls: https.AgentOptions;

  constructor(private readonly settings: RegistrySettings) {
    const read = (file?: string) => (file === undefined ? undefined : fs.readFileSync(file));
    this.tls = { ca: read(settings.ca), cert: read(settings.cert), key: read(settings.key) };
  }

  /** Registers the schema under the subject (or finds it there) and returns its global id. */
  async register(subject: string, schema: string, schemaType: SchemaType): Promise<number> {
    const body = schemaType === 'AVRO' ? { schema } : { schema, schemaType };
    const answer = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body)) as {
      id?: unknown;
    };
    if (typeof answer?.id !== 'number')
      throw new DataStormError('REGISTRY', `${this.where()} answered a registration without an id: ${preview(answer)}`);
    this.byId.set(answer.id, { id: answer.id, schema, schemaType });
    return answer.id;
  }

  /** Every schema registered under the subject, by id (none when the subject does not exist). */
  async subjectSchemas(subject: string): Promise<RegisteredSchema[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const versions = (await this.request('GET', path, undefined, true)) as number[] | null;
    if (versions !== null && !(Array.isArray(versions) && versions.every(Number.isInteger)))
      throw new DataStormError(
        'REGISTRY',
        `${this.where()} answered ${path} with no list of versions: ${preview(versions)}`,
      );
    const out: RegisteredSchema[] = [];
    for (const version of versions ?? []) {
      const v = this.schemaAnswer(`${path}/${version}`, await this.request('GET', `${path}/${version}`));
      const schema = { id: v.id, schema: v.schema, schemaType: (v.schemaType ?? 'AVRO') as SchemaType };
      this.byId.set(v.id, schema);
      out.push(schema);
    }
    return out;
  }

  /** The schema of an id, fetched once. */
  async schemaById(id: number): Promise<RegisteredSchema> {
    const known = this.byId.get(id);
    if (known) return known;
    const v = this.schemaAnswer(`/schemas/ids/${id}`, await this.request('GET', `/schemas/ids/${id}`));
    const schema = { id, schema: v.schema, schemaType: (v.schemaType ?? 'AVRO') as SchemaType };
    this.byId.set(id, schema);
    return schema;
  }

  /** A schema as the registry gives one ({id?, schema, schemaType?}), or what it gave instead, said. */
  private schemaAnswer(path: string, v: unknown): { id: number; schema: string; schemaType?: string } {
    const o = v as { id?: unknown; schema?: unknown; schemaType?: unknown } | null;
    if (typeof o?.schema !== 'string' || (o.schemaType !== undefined && typeof o.schemaType !== 'string'))
      throw new DataStormError('REGISTRY', `${this.where()} answered ${path} with no schema: ${preview(v)}`);
    return o as { id: number; schema: string; schemaType?: string };
  }

  private where(): string {
    return `the Schema Registry at ${new URL(this.settings.url).host}`;
  }

  private request(method: string, path: string, body?: unknown, notFoundIsNull = false): Promise<unknown> {
    const url = new URL(this.settings.url + path);
    const headers: Record<string, string> = { Accept: CONTENT_TYPE };
    if (body !== undefined) headers['Content-Type'] = CONTENT_TYPE;
    if (this.settings.basicAuth)
      headers.Authorization = `Basic ${Buffer.from(this.settings.basicAuth).toString('base64')}`;
    else if (this.settings.bearerToken) headers.Authorization = `Bearer ${this.settings.bearerToken}`;
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, timeout: REQUEST_TIMEOUT_MS, ...this.tls }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // A body cut short (the connection closed mid-answer) ends in 'error' or 'close' without 'end'.
        const cut = () =>
          reject(new DataStormError('REGISTRY', `${this.where()} closed the connection in the middle of its answer`));
        res.on('error', cut);
        res.on('close', () => res.complete || cut());
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 404 && notFoundIsNull) return resolve(null);
          if (status < 200 || status >= 300) return reject(this.refusal(method, path, status, text, res.headers));
          const value = parsed(text);
          if (value !== undefined) return resolve(value);
          const type = res.headers['content-type'] ?? 'no content type';
          reject(
            new DataStormError(
              'REGISTRY',
              `${this.where()} answered ${method} ${path} with ${status} (${type}) but not JSON: ` +
                `${text.trim() === '' ? 'an empty body' : preview(text)}`,
            ),
          );
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (e) =>
        reject(new DataStormError('REGISTRY_UNREACHABLE', `${this.where()} is unreachable: ${e.message}`)),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  private refusal(
    method: string,
    path: string,
    status: number,
    text: string,
    headers: http.IncomingHttpHeaders,
  ): DataStormError {
    const message = (parsed(text) as { message?: unknown } | undefined)?.message;
    if (status >= 300 && status < 400)
      return new DataStormError(
        'REGISTRY',
        `${this.where()} answered ${status}, a redirect to ${headers.location ?? '(no location)'}: DataStorm ` +
          'follows none (credentials must not go elsewhere); give --schema-registry the address it points to',
      );
    const why = status === 401 || status === 403 ? 'refused the credentials' : `answered ${status}`;
    const detail =
      typeof message === 'string' ? `: ${message.slice(0, 300)}` : text.trim() === '' ? '' : `: ${preview(text)}`;
    return new DataStormError('REGISTRY', `${this.where()} ${why} to ${method} ${path}${detail}`);
  }
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What came back, short and on one line, for a message: the start of a text, or a value as JSON. */
function preview(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  const line = text.replace(/\s+/g, ' ').trim();
  return `'${line.length > 80 ? `${line.slice(0, 80)}…` : line}'`;
}
