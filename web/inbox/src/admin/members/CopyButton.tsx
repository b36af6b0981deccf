import { useState } from 'react';

/** Copies `value` to the clipboard and says so beside the button for a moment (read out by screen readers too). */
export function CopyButton({ value, label, done }: { value: string; label: string; done: string }) {
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const copy = () => {
    setFailed(null);
    navigator.clipboard.writeText(value).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      },
      // An insecure origin or a refused permission: the value stays on screen to select by hand.
      (error: unknown) => setFailed(String(error)),
    );
  };
  return (
    <span className="actions">
      <button type="button" className="secondary" onClick={copy}>
        {label}
      </button>
      <span role="status">{copied ? done : ''}</span>
      {failed && <span className="field-error">{failed}</span>}
    </span>
  );
}
