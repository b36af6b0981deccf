import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { DomainError } from '../errors/domain-error.js';
import { fileClassOf, fileKindOf } from './file-kinds.js';
import type { FileClass, FileKind } from './file-kinds.js';

/** A file as the hub keeps it: the bytes (images re-encoded), the type its bytes showed, and a small preview. */
export interface PreparedFile {
  data: Buffer;
  contentType: string;
  fileClass: FileClass;
  kind: FileKind;
  name: string;
  size: number;
  /** A JPEG at most 480 px on its longer side: images and videos (a still frame is beyond us, so a drawn one). */
  thumbnail: Buffer | null;
  /** Audio: its length, which LINE's audio message requires. */
  durationMs?: number;
}

// Photos larger than this on their longer side are scaled down: no channel shows more (LINE's images, 10 MB at most,
// are shown at about 1,000 px), and a smaller file goes out faster over a phone's connection.
const LONGEST_SIDE = 2048;
const THUMBNAIL_SIDE = 480;

/**
 * Reads what a file really is and makes it safe to keep and to pass on. The type comes from the bytes (file-type):
 * a `.pdf` that is an HTML page is refused, whatever its name and the browser said. Images are decoded and encoded
 * again (sharp), which keeps the pixels and drops every metadata block: a customer's photo carries no GPS position,
 * camera serial or thumbnail of the uncropped picture any more. The EXIF orientation is applied first, so the photo
 * still stands the right way up without it.
 */
export async function prepareFile(data: Buffer, name: string, allowed: readonly FileClass[]): Promise<PreparedFile> {
  const sniffed = await fileTypeFromBuffer(data);
  const fileClass = sniffed ? fileClassOf(sniffed.mime) : null;
  if (!sniffed || !fileClass || !allowed.includes(fileClass)) {
    throw new DomainError('unprocessable', 'file_type_not_allowed', `"${name}" is ${sniffed ? `a ${sniffed.mime} file` : 'of a type the hub cannot tell'}; allowed here: ${allowed.join(', ')}.`, {
      detectedType: sniffed?.mime ?? null,
      allowed,
    });
  }
  const kind = fileKindOf(fileClass);
  if (kind === 'image') return prepareImage(data, name, sniffed.mime);
  if (kind === 'video') return { data, contentType: sniffed.mime, fileClass, kind, name, size: data.length, thumbnail: await videoStill() };
  if (kind === 'audio') {
    const durationMs = mp4DurationMs(data);
    return { data, contentType: sniffed.mime, fileClass, kind, name, size: data.length, thumbnail: null, ...(durationMs !== null ? { durationMs } : {}) };
  }
  return { data, contentType: sniffed.mime, fileClass, kind, name, size: data.length, thumbnail: null };
}

async function prepareImage(data: Buffer, name: string, mime: string): Promise<PreparedFile> {
  // PNG stays PNG (screenshots, transparency); everything else becomes a JPEG, the one type every channel takes
  // (LINE and WhatsApp accept JPEG and PNG only). An animated GIF keeps its first frame.
  const png = mime === 'image/png';
  let image: Buffer;
  let thumbnail: Buffer;
  try {
    const base = sharp(data, { failOn: 'error' }).rotate().resize({ width: LONGEST_SIDE, height: LONGEST_SIDE, fit: 'inside', withoutEnlargement: true });
    // No `.withMetadata()`: sharp writes none of the input's EXIF, XMP or IPTC.
    image = png ? await base.png().toBuffer() : await base.jpeg({ quality: 85, mozjpeg: true }).toBuffer();
    thumbnail = await sharp(image).resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
  } catch {
    throw new DomainError('unprocessable', 'file_unreadable', `"${name}" looks like an image but cannot be read; it may be damaged.`);
  }
  const renamed = png ? name : `${name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.jpg`;
  return { data: image, contentType: png ? 'image/png' : 'image/jpeg', fileClass: 'image', kind: 'image', name: renamed, size: image.length, thumbnail };
}

let still: Promise<Buffer> | null = null;
/** The preview of a video (LINE requires one): a drawn play sign, since reading a frame would need a video decoder. */
function videoStill(): Promise<Buffer> {
  still ??= sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="270"><rect width="480" height="270" fill="#333"/><circle cx="240" cy="135" r="54" fill="#fff" fill-opacity="0.85"/><path d="M222 105 L222 165 L272 135 Z" fill="#333"/></svg>',
    ),
  )
    .jpeg({ quality: 80 })
    .toBuffer();
  return still;
}

/**
 * The length of an MP4 or M4A file from its `moov/mvhd` box (timescale and duration), or null when it has none at the
 * top level. Enough for LINE's audio message, which must state its duration.
 */
export function mp4DurationMs(data: Buffer): number | null {
  const moov = findBox(data, 0, data.length, 'moov');
  const mvhd = moov ? findBox(data, moov.start, moov.end, 'mvhd') : null;
  if (!mvhd || mvhd.end - mvhd.start < 32) return null;
  const version = data[mvhd.start];
  const [timescale, duration] =
    version === 1 ? [data.readUInt32BE(mvhd.start + 20), Number(data.readBigUInt64BE(mvhd.start + 24))] : [data.readUInt32BE(mvhd.start + 12), data.readUInt32BE(mvhd.start + 16)];
  return timescale > 0 ? Math.round((duration / timescale) * 1000) : null;
}

function findBox(data: Buffer, from: number, to: number, type: string): { start: number; end: number } | null {
  let at = from;
  while (at + 8 <= to) {
    let size = data.readUInt32BE(at);
    let header = 8;
    if (size === 1 && at + 16 <= to) {
      size = Number(data.readBigUInt64BE(at + 8));
      header = 16;
    }
    if (size < header || at + size > to) return null;
    if (data.toString('latin1', at + 4, at + 8) === type) return { start: at + header, end: at + size };
    at += size;
  }
  return null;
}
