import { toBuffer } from 'bwip-js';
import { PNG } from 'pngjs';
import { writeFile } from 'node:fs/promises';

/**
 * A video file Chromium plays as its camera (`--use-file-for-fake-video-capture`): an EAN-13 barcode rendered by
 * bwip-js, centred on white, as YUV4MPEG2 4:2:0. Chromium's file capture reads only Y4M (and MJPEG), and only 4:2:0.
 */
export async function writeBarcodeVideo(path: string, gtin: string, options: { width?: number; height?: number; frames?: number } = {}): Promise<void> {
  const { width = 640, height = 480, frames = 10 } = options;
  // scale 3: about 3 pixels a module, what a phone held 15 cm from a label sees; bwip-js adds the quiet zones.
  const png = PNG.sync.read(await toBuffer({ bcid: 'ean13', text: gtin, scale: 3, height: 22, includetext: true, backgroundcolor: 'FFFFFF' }));
  if (png.width > width || png.height > height) throw new Error(`the barcode (${png.width}x${png.height}) is larger than the frame`);
  await writeFile(path, y4m(centredOnWhite(png, width, height), width, height, frames));
}

/** The picture as luma, one byte a pixel: the barcode's RGBA (alpha over white) in the middle of a white frame. */
function centredOnWhite(png: PNG, width: number, height: number): Uint8Array {
  const luma = new Uint8Array(width * height).fill(255);
  const left = Math.floor((width - png.width) / 2);
  const top = Math.floor((height - png.height) / 2);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const alpha = png.data[i + 3] / 255;
      const grey = 0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2];
      luma[(top + y) * width + left + x] = Math.round(grey * alpha + 255 * (1 - alpha));
    }
  }
  return luma;
}

/**
 * YUV4MPEG2: a text header, then each frame as `FRAME\n` and its Y, U and V planes (U and V at half the width and
 * height, 4:2:0). The picture is grey, so U and V are their middle value; Y is in BT.601's studio range (16-235),
 * the range Chromium converts 8-bit video from.
 */
function y4m(luma: Uint8Array, width: number, height: number, frames: number): Buffer {
  if (width % 2 || height % 2) throw new Error('4:2:0 needs an even width and height');
  const y = Buffer.from(luma.map((value) => 16 + Math.round((value * 219) / 255)));
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420mpeg2\n`);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}
