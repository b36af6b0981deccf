import { useEffect, useState } from 'react';
import { useWords } from '../../i18n';
import { loadPairing } from './useChannels';
import type { Pairing } from './useChannels';
import { channelsWords } from './words';

// WhatsApp shows a new QR code about every 20 seconds while it waits; the hub announces no event for it, so it is read again.
const POLL_MS = 4_000;

/** A WhatsApp Web channel's pairing: its state and, while it waits for a scan, the QR code to scan with the shop's phone. */
export function PairingPanel({ channelId }: { channelId: string }) {
  const words = useWords(channelsWords);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  useEffect(() => {
    let current = true;
    const read = () => void loadPairing(channelId).then((next) => current && setPairing(next), () => undefined);
    read();
    const timer = setInterval(read, POLL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [channelId]);
  if (!pairing) return null;
  return (
    <div className="pairing" role="region" aria-label={words.pairing}>
      <h4>{words.pairing}</h4>
      <p role="status">
        {words.pairingStates[pairing.state]}
        {pairing.detail && ` (${pairing.detail})`}
      </p>
      {pairing.qrDataUrl && (
        <>
          <p className="hint">{words.pairingHint}</p>
          <img src={pairing.qrDataUrl} alt={words.pairingQr} width={220} height={220} />
        </>
      )}
    </div>
  );
}
