/**
 * File uploads (POST /v1/files, multipart/form-data, as the SDK sends them to the files host — the
 * same host when the SDK is pointed at this fake): dispute evidence documents (issue #12) are
 * uploaded as files and named by id in `evidence[cancellation_policy]` and the like.
 */
import { FakeClock, IdSequence } from './ids.js';
import { invalidRequest, noSuchObject } from './errors.js';
import type { FormObject } from './form.js';
import type { Route } from './server.js';

export type FakeFile = { id: string; object: 'file'; purpose: string; filename: string; size: number; type: string; created: number; url: null; expires_at: null; title: null; links: null };

const PURPOSES = ['dispute_evidence', 'identity_document', 'business_logo', 'additional_verification'];

/**
 * multipart/form-data into the fake's form shape: a plain part is a string; a file part is
 * `{ filename, type, data }` (text: the uploads this fake serves are documents we write).
 */
export function parseMultipart(body: string, contentType: string): FormObject {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new RangeError('multipart without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const out: FormObject = {};
  for (const part of body.split(delimiter).slice(1)) {
    if (part.startsWith('--')) break;
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const data = part.slice(sep + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    out[name] = filename === undefined ? data : { filename, type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream', data };
  }
  return out;
}

export class FakeFiles {
  readonly all = new Map<string, FakeFile & { data: string }>();
  constructor(private readonly ids: IdSequence, private readonly clock: FakeClock) {}

  create(params: FormObject): FakeFile {
    const purpose = typeof params.purpose === 'string' ? params.purpose : '';
    if (!PURPOSES.includes(purpose)) throw invalidRequest(`Invalid purpose: must be one of ${PURPOSES.join(', ')}`, 'parameter_invalid_string', 'purpose');
    const file = params.file;
    if (!file || typeof file !== 'object' || Array.isArray(file) || typeof file.data !== 'string') throw invalidRequest('Missing required param: file.', 'parameter_missing', 'file');
    const f = { id: this.ids.next('file'), object: 'file' as const, purpose, filename: String(file.filename ?? 'upload'), size: Buffer.byteLength(file.data, 'utf8'), type: String(file.type ?? '').split('/')[1] ?? 'txt', created: this.clock.tick(), url: null, expires_at: null, title: null, links: null, data: file.data };
    this.all.set(f.id, f);
    return this.view(f);
  }

  /** A file of this purpose exists (evidence may only name uploaded dispute evidence). */
  has(id: string, purpose: string): boolean {
    return this.all.get(id)?.purpose === purpose;
  }

  view(f: FakeFile & { data?: string }): FakeFile {
    const { data: _data, ...rest } = f as FakeFile & { data: string };
    return rest;
  }

  routes(): Route[] {
    return [
      { method: 'POST', pattern: /^\/v1\/files$/, handler: (_x, p) => this.create(p) },
      { method: 'GET', pattern: /^\/v1\/files\/([A-Za-z0-9_]+)$/, handler: (x) => { const f = this.all.get(x[1] as string); if (!f) throw noSuchObject('file', x[1] as string); return this.view(f); } },
    ];
  }
}
