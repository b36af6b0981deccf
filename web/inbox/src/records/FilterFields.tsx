import { Field } from '../shared/forms';
import type { ServerForm } from '../shared/forms';
import { fill, useText, useWords } from '../i18n';
import { useFilterChoices } from './useFilterChoices';
import { recordsWords } from './words';

/** The filters both pages share, as typed (days, ids); `period.ts` turns the days into the hub's instants. */
export interface CommonFilters {
  from: string;
  to: string;
  channelType: string;
  memberId: string;
  categoryId: string;
}

export type CommonField = keyof CommonFilters;

const CHANNELS = ['webchat', 'email', 'sms', 'whatsapp', 'line'] as const;

/** Period, channel, member and category: each a labelled field with the hub's refusal of it below. */
export function FilterFields<F extends string>(props: { form: ServerForm<F | CommonField>; values: CommonFilters; timeZone: string; onChange: (values: CommonFilters) => void }) {
  const { form, values, onChange } = props;
  const words = useWords(recordsWords);
  const text = useText();
  const { members, categories } = useFilterChoices();
  const set = (name: CommonField) => (event: { target: { value: string } }) => onChange({ ...values, [name]: event.target.value });
  return (
    <>
      <Field form={form} name="from" label={words.from} hint={fill(words.periodHint, { zone: props.timeZone })}>
        {(control) => <input {...control} type="date" value={values.from} onChange={set('from')} />}
      </Field>
      <Field form={form} name="to" label={words.to}>
        {(control) => <input {...control} type="date" value={values.to} onChange={set('to')} />}
      </Field>
      <Field form={form} name="channelType" label={words.channel}>
        {(control) => (
          <select {...control} value={values.channelType} onChange={set('channelType')}>
            <option value="">{words.any}</option>
            {CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {text.channel[channel] ?? channel}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field form={form} name="memberId" label={words.member}>
        {(control) => (
          <select {...control} value={values.memberId} onChange={set('memberId')}>
            <option value="">{words.any}</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field form={form} name="categoryId" label={words.category}>
        {(control) => (
          <select {...control} value={values.categoryId} onChange={set('categoryId')}>
            <option value="">{words.any}</option>
            {categories.map((category) => (
              <option key={category.id} value={category.id}>
                {category.path.join(' > ')}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}

/** The filters as the address keeps them (so a reload, or coming back from a conversation, shows the same list). */
export function readFilters<K extends string>(params: URLSearchParams, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => [name, params.get(name) ?? ''])) as Record<K, string>;
}

/** Only the filters given, for the address. */
export function writeFilters<T extends { [K in keyof T]: string }>(values: T): Record<string, string> {
  return Object.fromEntries(Object.entries<string>(values).filter(([, value]) => value !== ''));
}

/** The channel, member and category picked, as the hub takes them; an empty one ("any") is left out. */
export function commonTerms(values: CommonFilters): { channelType?: (typeof CHANNELS)[number]; memberId?: string; categoryId?: string } {
  const channelType = CHANNELS.find((channel) => channel === values.channelType);
  return {
    ...(channelType ? { channelType } : {}),
    ...(values.memberId ? { memberId: values.memberId } : {}),
    ...(values.categoryId ? { categoryId: values.categoryId } : {}),
  };
}
