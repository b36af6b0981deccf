import { useEffect, useState } from 'react';
import { ApiError, session } from '../api';
import type { Message } from '../api';
import { useText } from '../i18n';

type Attachment = Message['attachments'][number];

/**
 * A file of the hub's, loaded with the member's sign-in (an `<img src>` cannot send it) and shown from a blob URL,
 * which is let go when the message leaves the screen.
 */
function useBlobUrl(url: string | undefined): string | null {
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!url) return;
    let made: string | null = null;
    let cancelled = false;
    void fetch(url, { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} })
      .then((response) => (response.ok ? response.blob() : null))
      .then((blob) => {
        if (!blob || cancelled) return;
        made = URL.createObjectURL(blob);
        setBlobUrl(made);
      });
    return () => {
      cancelled = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return blobUrl;
}

/** One file in the thread: a thumbnail that opens the photo, a player for video and audio, a link for the rest. */
function MessageFile({ file }: { file: Attachment }) {
  const text = useText();
  const kind = file.kind ?? kindOf(file.contentType);
  const preview = useBlobUrl(kind === 'image' ? (file.thumbnailUrl ?? file.url) : undefined);
  const whole = useBlobUrl(kind === 'image' ? undefined : file.url);
  const name = file.name ?? text.file;
  if (file.failed) return <span className="failure">{file.failed.reason}</span>;
  if (!file.url) return null;
  if (kind === 'image') {
    return (
      <button type="button" className="file-preview" onClick={() => void openWhole(file.url!)} aria-label={`${text.openFile}: ${name}`}>
        {preview ? <img src={preview} alt={name} /> : <span className="file-loading">{name}</span>}
      </button>
    );
  }
  if (kind === 'video') return whole ? <video className="file-player" src={whole} controls aria-label={name} /> : <span>{name}</span>;
  if (kind === 'audio') return whole ? <audio className="file-player" src={whole} controls aria-label={name} /> : <span>{name}</span>;
  return (
    <a className="file-link" href={whole ?? undefined} download={name}>
      📎 {name}
    </a>
  );
}

export function MessageFiles({ attachments }: { attachments: Attachment[] }) {
  const files = attachments.filter((a) => a.url || a.failed);
  if (files.length === 0) return null;
  return (
    <div className="files">
      {files.map((file, index) => (
        <MessageFile key={index} file={file} />
      ))}
    </div>
  );
}

async function openWhole(url: string): Promise<void> {
  const response = await fetch(url, { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} });
  if (response.ok) window.open(URL.createObjectURL(await response.blob()), '_blank', 'noopener');
}

function kindOf(contentType: string | undefined): Attachment['kind'] {
  const top = contentType?.split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}

/** An upload waiting in the composer: the hub's id for the reply, and a local preview of a photo. */
export interface PendingFile {
  id: string;
  name: string;
  kind: Attachment['kind'];
  preview: string | null;
}

/** Uploads one file for the conversation's next reply; the hub's refusal comes back as an ApiError with its code. */
export async function uploadFile(conversationId: string, file: File): Promise<PendingFile> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch(`/api/conversations/${encodeURIComponent(conversationId)}/uploads`, {
    method: 'POST',
    body: form,
    headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
  });
  const body = (await response.json().catch(() => ({}))) as { id?: string; name?: string; kind?: Attachment['kind']; code?: string; message?: string };
  if (!response.ok || !body.id) throw new ApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? response.statusText);
  return { id: body.id, name: body.name ?? file.name, kind: body.kind, preview: body.kind === 'image' ? URL.createObjectURL(file) : null };
}
