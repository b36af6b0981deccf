/**
 * The outbound guard said no: `url_not_allowed` (the origin is not allowed and the address is not public, or a
 * configured base names no official origin), `download_too_large` (over HUB_MAX_DOWNLOAD_BYTES). Permanent: the
 * same request fails the same way again, so it is not retried.
 */
export class OutboundRefused extends Error {
  constructor(
    readonly code: 'url_not_allowed' | 'download_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'OutboundRefused';
  }
}
