import { useState } from 'react';
import { ApiError } from '../../api';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { useBusinessHours } from './useBusinessHours';
import type { TeamSettings } from './useBusinessHours';
import { hoursWords } from './words';

/** `/app/admin/hours`: the business hours. The week editor replaces the JSON box (issue 19); the hub checks either. */
export function HoursSection() {
  const text = useText();
  const words = useWords(hoursWords);
  const { businessHours, save } = useBusinessHours();
  const [edited, setEdited] = useState<string | null>(null);
  const form = useServerForm(['settings'] as const);
  const shown = edited ?? (businessHours ? JSON.stringify(businessHours, null, 2) : '');

  const submit = form.handle(async () => {
    let parsed: unknown = null;
    try {
      if (shown.trim()) parsed = JSON.parse(shown);
    } catch (error) {
      // Invalid JSON is named here, by the field; the hub names what is wrong with valid JSON.
      throw new ApiError(400, 'invalid_json', String(error), { settings: String(error) });
    }
    await save(parsed as TeamSettings['businessHours']);
    setEdited(null);
  });

  return (
    <section aria-label={text.businessHours}>
      <h2>{text.businessHours}</h2>
      <form onSubmit={submit} aria-label={text.businessHours}>
        <Field form={form} name="settings" label={words.hoursJson}>
          {(control) => <textarea {...control} rows={10} value={shown} onChange={(e) => setEdited(e.target.value)} spellCheck={false} />}
        </Field>
        <FormSubmit form={form} label={text.save} />
      </form>
    </section>
  );
}
