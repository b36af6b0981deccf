import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError } from '../api';

/**
 * A form that sends to the hub and shows its refusal where it belongs: next to the field the hub names
 * (`details: [{field, message}]`), or above the form when it names none of this form's fields.
 */
export interface ServerForm<F extends string> {
  pending: boolean;
  /** The hub's sentence about this field of the last refusal (the field itself, or one inside it: `config.apiKey`). */
  error(field: F): string | undefined;
  /** The last refusal's sentence when it named no field of this form (or the failure was not the hub's). */
  refusal: string | null;
  /** The last refusal's stable code, for a form that reacts to one (`invalid_code`: ask for a new code). */
  code: string | null;
  /** An `onSubmit` that runs `work`, clears the last refusal first, and keeps the new one. */
  handle(work: () => Promise<unknown>): (event?: FormEvent) => void;
  clear(): void;
}

export function useServerForm<F extends string>(fields: readonly F[]): ServerForm<F> {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<{ code: string | null; message: string; fields: Record<string, string> } | null>(null);

  const fieldMessage = (field: string): string | undefined => {
    if (!failure) return undefined;
    const named = Object.keys(failure.fields).find((name) => name === field || name.startsWith(`${field}.`));
    return named === undefined ? undefined : failure.fields[named];
  };
  const namesOne = failure !== null && fields.some((field) => fieldMessage(field) !== undefined);

  return {
    pending,
    error: fieldMessage,
    refusal: failure && !namesOne ? failure.message : null,
    code: failure?.code ?? null,
    clear: () => setFailure(null),
    handle: (work) => (event) => {
      event?.preventDefault();
      setFailure(null);
      setPending(true);
      work().then(
        () => setPending(false),
        (error: unknown) => {
          setPending(false);
          setFailure(error instanceof ApiError ? { code: error.code, message: error.message, fields: error.fields } : { code: null, message: String(error), fields: {} });
        },
      );
    },
  };
}

/** What an input needs to be tied to its label and to the hub's sentence about it. */
export interface FieldControl {
  id: string;
  name: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/** A labelled field with the hub's refusal of it right below; `children` draws the input with the given attributes. */
export function Field<F extends string>(props: { form: ServerForm<F>; name: F; label: string; hint?: string; scope?: string; children: (control: FieldControl) => ReactNode }) {
  const { form, name, label, hint, children } = props;
  // `scope` tells apart the same form drawn several times on one screen (one per channel).
  const id = `${props.scope ?? 'field'}-${name}`;
  const error = form.error(name);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': !!error, ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The refusal that named no field of the form, above its button. */
export function FormRefusal<F extends string>({ form }: { form: ServerForm<F> }) {
  if (!form.refusal) return null;
  return (
    <p role="alert" className="error">
      {form.refusal}
    </p>
  );
}

/** The end of a form: the refusal that named no field, then the button that sends (held while the hub answers). */
export function FormSubmit<F extends string>({ form, label, className }: { form: ServerForm<F>; label: string; className?: string }) {
  return (
    <>
      <FormRefusal form={form} />
      <button type="submit" className={className} disabled={form.pending}>
        {label}
      </button>
    </>
  );
}
