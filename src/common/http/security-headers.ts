import type { FastifyInstance } from 'fastify';

/**
 * The inbox at /app: its own scripts only (no inline script, nothing from elsewhere), never framed (clickjacking).
 * Images may come from https: (a Twilio media URL, an email's remote images once an agent asks for them) and
 * data: (the WhatsApp Web pairing QR code); styles are the built stylesheet plus React's style properties, which
 * set the CSSOM and need no 'unsafe-inline'. 'wasm-unsafe-eval' lets the barcode scanner compile the hub's own
 * WebAssembly reader (compiling WebAssembly is not allowed by 'self' alone); it allows no eval of JavaScript.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The demo shop page at /demo: the widget's script from the hub, no inline script. Styles inline: the page's own
 * <style> and the <style> the widget puts in its shadow root (which keeps the shop's styles out). It may be
 * framed, as a shop page with the widget may be.
 */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * On every answer: no MIME sniffing (an API answer or a file read as a page or a script), and no Referer (an
 * inbox address, with conversation ids, leaking to the sites an agent follows a customer's link to).
 */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
}
