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
    if (typeof answer.id !== 'number')
      throw new DataStormError('REGISTRY', `${this.where()} answered a registration without an id`);
    this.byId.set(answer.id, { id: answer.id, schema, schemaType });
    return answer.id;
  }

  /** Every schema registered under the subject, by id (none when the subject does not exist). */
  async subjectSchemas(subject: string): Promise<RegisteredSchema[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const versions = (await this.request('GET', path, undefined, true)) as number[] | null;
    const out: RegisteredSchema[] = [];
    for (const version of versions ?? []) {
      const v = (await this.request('GET', `${path}/${version}`)) as {
        id: number;
        schema: string;
        schemaType?: string;
      };
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
    const v = (await this.request('GET', `/schemas/ids/${id}`)) as { schema: string; schemaType?: string };
    const schema = { id, schema: v.schema, schemaType: (v.schemaType ?? 'AVRO') as SchemaType };
    this.byId.set(id, schema);
    return schema;
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
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 404 && notFoundIsNull) return resolve(null);
          if (status >= 200 && status < 300) return resolve(parsed(text));
          reject(this.refusal(method, path, status, text));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (e) =>
        reject(new DataStormError('REGISTRY_UNREACHABLE', `${this.where()} is unreachable: ${e.message}`)),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  private refusal(method: string, path: string, status: number, text: string): DataStormError {
    const message = (parsed(text) as { message?: unknown } | undefined)?.message;
    const why = status === 401 || status === 403 ? 'refused the credentials' : `answered ${status}`;
    const detail = typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
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
