import { useState } from 'react';
import { useWords } from '../../i18n';
import { channelsWords } from './words';

/** Copies `text` to the clipboard and says so; `label` names what is copied, for screen readers and tests. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const words = useWords(channelsWords);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <>
      <button type="button" className="secondary" aria-label={`${words.copy}: ${label}`} onClick={() => void copy()}>
        {words.copy}
      </button>
      {copied && <span role="status"> {words.copied}</span>}
    </>
  );
}
