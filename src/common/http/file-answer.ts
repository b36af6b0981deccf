import type { FastifyReply } from 'fastify';

/**
 * Sends a stored file. Never rendered as a page of ours: a customer's HTML file must not run in the hub's origin,
 * nor an SVG (a document that runs script); images, video and audio are shown inline, anything else is downloaded.
 * The type is compared without case or parameters, since an inbound one is the provider's word.
 */
export function sendFile(reply: FastifyReply, file: { data: Buffer; contentType: string; name: string }, cache: string): FastifyReply {
  const type = file.contentType.split(';')[0].trim().toLowerCase();
  const inline = /^(image|video|audio)\//.test(type) && type !== 'image/svg+xml';
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', cache)
    .send(file.data);
}
