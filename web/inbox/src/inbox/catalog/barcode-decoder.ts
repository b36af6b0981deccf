// The reader's WebAssembly, emitted by Vite as one of the inbox's own build assets (/app/assets/zxing_reader-<hash>.wasm):
// zxing-wasm would otherwise fetch it from a CDN, which the inbox's CSP (connect-src 'self') refuses anyway.
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** The retail codes a product's GTIN is printed as, and Code 128 for shops that label their own SKUs. */
const NATIVE_FORMATS = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128'];
const ZXING_FORMATS = ['EAN13', 'EAN8', 'UPCA', 'UPCE', 'Code128'] as const;

/** The Shape Detection API's detector (Chrome on Android, Safari on iOS 17+); not in TypeScript's DOM library yet. */
interface NativeBarcodeDetector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface NativeBarcodeDetectorClass {
  new (options: { formats: string[] }): NativeBarcodeDetector;
  getSupportedFormats?(): Promise<string[]>;
}

/** Reads one code from a video frame, or null when the frame shows none. */
export interface FrameDecoder {
  decode(video: HTMLVideoElement): Promise<string | null>;
}

/**
 * The browser's own BarcodeDetector where it exists (it uses the platform's decoder, often in hardware), else
 * ZXing-C++ compiled to WebAssembly, loaded only then: most desktop browsers and Firefox have no BarcodeDetector.
 */
export async function createFrameDecoder(): Promise<FrameDecoder> {
  const Native = (window as unknown as { BarcodeDetector?: NativeBarcodeDetectorClass }).BarcodeDetector;
  if (Native) {
    // A platform may expose the class and support only QR codes (macOS Chrome did): then ZXing reads the rest.
    const supported = (await Native.getSupportedFormats?.().catch(() => [])) ?? NATIVE_FORMATS;
    const formats = NATIVE_FORMATS.filter((format) => supported.includes(format));
    if (formats.length > 0) {
      const detector = new Native({ formats });
      return { decode: async (video) => (await detector.detect(video))[0]?.rawValue ?? null };
    }
  }
  return createZxingDecoder();
}

// One object for the page's life: zxing-wasm compares the overrides it is given with the last ones, and instantiates
// the module again (compiling 1 MB of WebAssembly) when they differ, as a new function each time would.
const ZXING_OVERRIDES = { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? zxingWasmUrl : prefix + path) };

async function createZxingDecoder(): Promise<FrameDecoder> {
  const zxing = await import('zxing-wasm/reader');
  await zxing.prepareZXingModule({ overrides: ZXING_OVERRIDES, fireImmediately: true });
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas');
  return {
    decode: async (video) => {
      if (video.videoWidth === 0 || video.videoHeight === 0) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const found = await zxing.readBarcodes(context.getImageData(0, 0, canvas.width, canvas.height), { formats: [...ZXING_FORMATS], tryHarder: true, maxNumberOfSymbols: 1 });
      return found.find((result) => result.isValid)?.text ?? null;
    },
  };
}
