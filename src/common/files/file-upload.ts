import busboy from 'busboy';
import { DomainError } from '../errors/domain-error.js';

/** One file of a multipart upload, with the form's text fields beside it. */
export interface UploadedFile {
  fields: Record<string, string>;
  name: string;
  data: Buffer;
}

/**
 * Reads a `multipart/form-data` body that carries one file (`file`) and a few short fields. The route's body limit
 * stopped anything beyond the hub's ceiling before this; `maxBytes` is the team's own cap, refused with
 * `file_too_large` and the cap in `details`.
 */
export function readUpload(rawBody: Buffer | undefined, contentType: string | undefined, maxBytes: number): Promise<UploadedFile> {
  if (!rawBody || !contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(new DomainError('invalid', 'invalid_request', 'Send the file as multipart/form-data, in a part named "file".'));
  }
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: { name: string; data: Buffer } | null = null;
    let failed = false;
    const fail = (error: DomainError) => {
      failed = true;
      reject(error);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024 } });
    } catch {
      reject(new DomainError('invalid', 'invalid_request', 'The upload has no multipart boundary.'));
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        fail(new DomainError('unprocessable', 'file_too_large', `The file is larger than ${megabytes(maxBytes)}, the most this team takes.`, { maxBytes })),
      );
      stream.on('end', () => {
        // Only the name is taken from the browser, and only as a label: the type comes from the bytes.
        if (field === 'file') file = { name: safeName(info.filename), data: Buffer.concat(chunks) };
      });
    });
    parser.on('error', (error: Error) => fail(new DomainError('invalid', 'invalid_request', `The upload cannot be read: ${error.message}.`)));
    parser.on('close', () => {
      if (failed) return;
      if (!file || file.data.length === 0) reject(new DomainError('invalid', 'invalid_request', 'The upload has no file (a part named "file").', [{ field: 'file', message: 'is required' }]));
      else resolve({ fields, ...file });
    });
    parser.end(rawBody);
  });
}

/** A file name to show and to send on, without a path or characters that break a header or a file system. */
export function safeName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim().slice(0, 120);
  return cleaned || 'file';
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
