import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { mp4DurationMs, prepareFile } from './file-content.js';

/** A photo as a phone takes it: with the camera's make and where it was taken (Tokyo Tower) in its EXIF. */
async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#c33' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 2904/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 2896/100' } })
    .toBuffer();
}

/** The GPS IFD pointer (tag 0x8825) in either byte order, as a TIFF header writes it. */
const hasGpsPointer = (exif: Buffer) => exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));

describe('prepareFile', () => {
  // Guards the promise made to customers: a photo sent through the hub does not tell where it was taken.
  it('re-encodes a JPEG with GPS EXIF into one without any metadata', async () => {
    const photo = await photoWithGps();
    const before = await sharp(photo).metadata();
    expect(before.exif && hasGpsPointer(before.exif)).toBe(true);

    const prepared = await prepareFile(photo, 'IMG_0001.JPG', ['image', 'pdf']);

    const after = await sharp(prepared.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(prepared.data.includes(Buffer.from('Exif\0\0'))).toBe(false);
    expect(prepared.data.includes(Buffer.from('PhoneCam'))).toBe(false);
    expect(prepared).toMatchObject({ contentType: 'image/jpeg', kind: 'image', name: 'IMG_0001.jpg', size: prepared.data.length });
    expect(after).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect((await sharp(prepared.thumbnail!).metadata()).width).toBe(480);
  });

  it('keeps a PNG a PNG and scales a huge image down to 2048 px', async () => {
    const png = await sharp({ create: { width: 4000, height: 1000, channels: 4, background: '#00f8' } }).png().toBuffer();
    const prepared = await prepareFile(png, 'screen.png', ['image']);
    expect(prepared.contentType).toBe('image/png');
    expect(await sharp(prepared.data).metadata()).toMatchObject({ width: 2048, height: 512 });
  });

  // The name and the browser's type are a customer's word: an HTML page named like a PDF must not pass as one.
  it('decides the type from the bytes and refuses what is not allowed', async () => {
    await expect(prepareFile(Buffer.from('<html><script>alert(1)</script></html>'), 'invoice.pdf', ['image', 'pdf'])).rejects.toMatchObject({
      code: 'file_type_not_allowed',
      details: { detectedType: null },
    });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await expect(prepareFile(pdf, 'a.pdf', ['image'])).rejects.toMatchObject({ code: 'file_type_not_allowed', details: { detectedType: 'application/pdf' } });
    expect(await prepareFile(pdf, 'a.pdf', ['pdf'])).toMatchObject({ contentType: 'application/pdf', kind: 'document', thumbnail: null, data: pdf });
  });

  it('refuses an image whose bytes are damaged with file_unreadable', async () => {
    const photo = await photoWithGps();
    await expect(prepareFile(photo.subarray(0, 400), 'broken.jpg', ['image'])).rejects.toMatchObject({ code: 'file_unreadable' });
  });
});

describe('mp4DurationMs', () => {
  it('reads the length of an M4A from its movie header', () => {
    const mvhd = Buffer.alloc(100);
    mvhd.writeUInt32BE(1000, 12); // timescale
    mvhd.writeUInt32BE(61_500, 16); // duration in timescale units
    const sized = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length + 8, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body]);
    };
    const file = Buffer.concat([sized('ftyp', Buffer.from('M4A isomiso2')), sized('moov', sized('mvhd', mvhd))]);
    expect(mp4DurationMs(file)).toBe(61_500);
    expect(mp4DurationMs(Buffer.from('not an mp4 at all'))).toBeNull();
  });
});
