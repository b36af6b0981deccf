import type { ChannelCapabilities, ChannelType } from '../channels/index.js';
import type { FileKind } from '../common/files/index.js';
import type { ErrorKind } from '../common/errors/domain-error.js';
import type { ErrorCode } from '../common/errors/error-codes.js';

/** A file about to go out, as the policy weighs it against what the channel carries. */
export interface OutgoingFile {
  kind: FileKind;
  size: number;
  name: string;
}

type FilesVerdict = { ok: true } | { ok: false; kind: ErrorKind; code: ErrorCode; reason: string; details?: Record<string, unknown> };

/**
 * Whether the channel carries these files, decided before anything is written: a photo the provider would refuse
 * is refused here, with what the agent can do instead, rather than failing after it was shown as sent.
 */
export function filesVerdict(channelType: ChannelType, capabilities: ChannelCapabilities, files: readonly OutgoingFile[]): FilesVerdict {
  const { kinds, maxBytes, maxPerMessage } = capabilities.files;
  const name = channelName(channelType);
  if (Object.keys(kinds).length === 0) {
    return { ok: false, kind: 'unprocessable', code: 'attachments_unsupported', reason: `${capitalized(name)} cannot carry files; send the text alone.` };
  }
  if (files.length > maxPerMessage) {
    return { ok: false, kind: 'unprocessable', code: 'too_many_attachments', reason: `${capitalized(name)} takes at most ${maxPerMessage} file${maxPerMessage === 1 ? '' : 's'} in one message.`, details: { maxPerMessage } };
  }
  for (const file of files) {
    const way = kinds[file.kind];
    if (!way) {
      const carried = Object.keys(kinds).join(', ');
      return { ok: false, kind: 'unprocessable', code: 'attachment_kind_unsupported', reason: `${capitalized(name)} cannot carry ${file.kind} files such as "${file.name}"; it carries: ${carried}.`, details: { kind: file.kind, carried: Object.keys(kinds) } };
    }
    // A file sent as a link is fetched from the hub by whoever opens it: the provider's size limit does not apply.
    if (way === 'native' && file.size > maxBytes) {
      return { ok: false, kind: 'unprocessable', code: 'attachment_too_large', reason: `"${file.name}" is larger than the ${Math.floor(maxBytes / 1024 / 1024)} MB ${name} takes.`, details: { maxBytes, size: file.size } };
    }
  }
  return { ok: true };
}

const CHANNEL_NAMES: Record<ChannelType, string> = { webchat: 'the web chat', email: 'an email', sms: 'an SMS', whatsapp: 'a WhatsApp message', line: 'a LINE message' };

export function channelName(type: ChannelType): string {
  return CHANNEL_NAMES[type];
}

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
