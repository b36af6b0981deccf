// Draws the inbox's home-screen icons (web/inbox/public/icons) as PNG files: two linked rings (tsunagu, to connect)
// on the brand blue. Run again after a change of design; the PNGs are kept in the repository.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const out = new URL('../web/inbox/public/icons/', import.meta.url);
const BRAND = [0x0b, 0x5c, 0xad];
const WHITE = [0xff, 0xff, 0xff];

/** CRC-32 as PNG chunks need it. */
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(size, pixel) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) row.set(pixel(x, y), 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** In unit coordinates (0..1): is the point on one of the rings, drawn at `scale` around the centre? */
function onRings(u, v, scale) {
  const x = (u - 0.5) / scale + 0.5;
  const y = (v - 0.5) / scale + 0.5;
  const ring = (cx) => Math.abs(Math.hypot(x - cx, y - 0.5) - 0.2) < 0.045;
  return ring(0.38) || ring(0.62);
}
function inRoundedSquare(u, v, radius) {
  const dx = Math.max(radius - u, 0, u - (1 - radius));
  const dy = Math.max(radius - v, 0, v - (1 - radius));
  return dx * dx + dy * dy <= radius * radius;
}

/** 4x4 samples per pixel: smooth edges. `paint(u, v)` answers [r, g, b, a] or null. */
function draw(size, paint) {
  return png(size, (x, y) => {
    const sum = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const colour = paint((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size);
        if (!colour) continue;
        for (let k = 0; k < 3; k++) sum[k] += colour[k] * colour[3];
        sum[3] += colour[3];
      }
    const alpha = sum[3] / 16;
    return alpha === 0 ? [0, 0, 0, 0] : [Math.round(sum[0] / sum[3]), Math.round(sum[1] / sum[3]), Math.round(sum[2] / sum[3]), Math.round(alpha * 255)];
  });
}

const icon = (u, v) => (inRoundedSquare(u, v, 0.2) ? [...(onRings(u, v, 0.9) ? WHITE : BRAND), 1] : null);
// Maskable: the platform cuts its own shape, so the blue fills the square and the rings keep to the safe zone (80%).
const maskable = (u, v) => [...(onRings(u, v, 0.7) ? WHITE : BRAND), 1];
// The status bar's badge: only its alpha counts.
const badge = (u, v) => (onRings(u, v, 1.1) ? [...WHITE, 1] : null);

writeFileSync(new URL('icon-192.png', out), draw(192, icon));
writeFileSync(new URL('icon-512.png', out), draw(512, icon));
writeFileSync(new URL('maskable-512.png', out), draw(512, maskable));
writeFileSync(new URL('badge-96.png', out), draw(96, badge));
