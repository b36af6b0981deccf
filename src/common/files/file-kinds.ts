/**
 * What a file is, as channels tell files apart: LINE and WhatsApp have a message type for each of the first three and
 * treat everything else as a document (a PDF, an office file).
 */
export const FILE_KINDS = ['image', 'video', 'audio', 'document'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** The classes a team may let its web visitors send (`settings.uploads.visitorTypes`); a PDF is its own class. */
export const FILE_CLASSES = ['image', 'video', 'audio', 'pdf', 'office'] as const;
export type FileClass = (typeof FILE_CLASSES)[number];

/**
 * The types the hub accepts, as the bytes say (never the name or the browser's word). Each maps to its class; a type
 * not listed is refused, so nothing the hub cannot show or a channel cannot name gets stored.
 */
const ACCEPTED: Readonly<Record<string, FileClass>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'image/heic': 'image',
  'image/heif': 'image',
  'video/mp4': 'video',
  'video/quicktime': 'video',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/x-m4a': 'audio',
  'audio/aac': 'audio',
  'audio/ogg': 'audio',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'office',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'office',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'office',
};

export function fileClassOf(contentType: string): FileClass | null {
  return ACCEPTED[contentType] ?? null;
}

export function fileKindOf(fileClass: FileClass): FileKind {
  return fileClass === 'pdf' || fileClass === 'office' ? 'document' : fileClass;
}

/** The hub's own ceiling on one file, whatever a team sets: the upload routes' body limit is this and a margin. */
export const LARGEST_FILE_BYTES = 25 * 1024 * 1024;
/** A team that sets nothing: what the issue of files from the widget asked for. */
export const DEFAULT_FILE_BYTES = 10 * 1024 * 1024;
