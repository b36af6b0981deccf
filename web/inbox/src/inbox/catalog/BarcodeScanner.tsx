import { useEffect, useRef, useState } from 'react';
import { fill, useWords } from '../../i18n';
import { createFrameDecoder } from './barcode-decoder';
import type { FrameDecoder } from './barcode-decoder';
import { catalogPanelWords } from './words';

/** A frame every 150 ms: enough to feel instant, and ZXing in WebAssembly takes tens of ms a frame on a phone. */
const FRAME_INTERVAL_MS = 150;

/** Whether this browser can open a camera at all (no camera API on http: pages other than localhost, nor in old browsers). */
export const canUseCamera = () => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';

/**
 * The rear camera's live picture, read frame by frame until a barcode shows; `onCode` gets its digits. The camera
 * is released when a code is read, when the scanner closes and when it unmounts (a phone shows its camera-in-use
 * light as long as a track lives).
 */
export function BarcodeScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const words = useWords(catalogPanelWords);
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  // The latest callback without restarting the camera when the parent renders again.
  const found = useRef(onCode);
  found.current = onCode;

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
      stream = null;
    };

    const start = async () => {
      let decoder: FrameDecoder;
      try {
        decoder = await createFrameDecoder();
      } catch (failure) {
        if (!stopped) setProblem(fill(words.decoderFailed, { reason: failure instanceof Error ? failure.message : String(failure) }));
        return;
      }
      if (stopped) return;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      } catch (failure) {
        if (!stopped) setProblem(cameraProblem(failure, words));
        return;
      }
      const element = video.current;
      if (stopped || !element) return stop();
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      setLive(true);
      const read = async () => {
        if (stopped) return;
        const code = element.readyState >= element.HAVE_CURRENT_DATA ? await decoder.decode(element).catch(() => null) : null;
        if (stopped) return;
        if (code) {
          stop();
          found.current(code);
          return;
        }
        timer = setTimeout(() => void read(), FRAME_INTERVAL_MS);
      };
      void read();
    };

    void start();
    return stop;
    // The scanner runs once per opening; its words are read when a problem arises.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="scanner" role="dialog" aria-modal="true" aria-label={words.scanner}>
      <div className="scanner-view">
        <video ref={video} muted playsInline autoPlay aria-label={words.scanHint} />
        {live && !problem && <div className="scanner-frame" aria-hidden="true" />}
      </div>
      <p role="status">{problem ?? (live ? words.scanHint : words.startingCamera)}</p>
      <button type="button" onClick={onClose}>
        {words.closeScanner}
      </button>
    </div>
  );
}

function cameraProblem(failure: unknown, words: (typeof catalogPanelWords)['ja']): string {
  const name = failure instanceof DOMException ? failure.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return words.cameraRefused;
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return words.cameraAbsent;
  return fill(words.cameraFailed, { reason: failure instanceof Error ? failure.message : String(failure) });
}
