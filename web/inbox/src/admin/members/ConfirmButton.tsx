import { useState } from 'react';

/**
 * A button whose action asks first, in the page (a browser `confirm()` cannot be styled, read aloud in the page's
 * language, or answered on every phone): the question and two buttons replace it until one is pressed.
 */
export function ConfirmButton(props: { label: string; question: string; yes: string; no: string; className?: string; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={props.className} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span role="group" aria-label={props.label} className="actions confirm">
      <span>{props.question}</span>
      <button
        type="button"
        className={props.className}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.yes}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        {props.no}
      </button>
    </span>
  );
}
