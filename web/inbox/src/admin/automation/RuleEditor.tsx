import { useState } from 'react';
import type { ReactNode } from 'react';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import type { ServerForm } from '../../shared/forms';
import { EventSelect } from './EventSelect';
import type { Action, Choices, Condition, Rule, RuleBody, RuleEvent } from './useAutomation';
import { automationWords } from './words';

type Words = typeof automationWords.ja;
type ConditionKind = Condition['kind'];
type ActionKind = Action['kind'];

/** A row of the editor: a key that survives removing the rows above it, the value, and text being typed (words, outcomes). */
interface Row<T> {
  key: number;
  value: T;
  raw: string;
}

let rowKeys = 0;
const rowOf = <T,>(value: T, raw = ''): Row<T> => ({ key: rowKeys++, value, raw });

const CONDITION_KINDS: ConditionKind[] = ['channel', 'store', 'category', 'intake_answer', 'words', 'business_hours', 'contact_attribute', 'outcome'];
const ACTION_KINDS: ActionKind[] = ['assign_group', 'assign_member', 'set_category', 'reply', 'template', 'create_ticket', 'report', 'webhook', 'note'];
/** The outcomes the resolve dialog offers; any other a team's API callers send is typed in by hand. */
const KNOWN_OUTCOMES = ['booked', 'not_booked'];

function newCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'channel':
      return { kind, channelIds: [] };
    case 'store':
      return { kind, stores: [] };
    case 'category':
      return { kind, categoryIds: [] };
    case 'intake_answer':
      return { kind, question: '', answer: '' };
    case 'words':
      return { kind, words: [], match: 'any' };
    case 'business_hours':
      return { kind, inside: true };
    case 'contact_attribute':
      return { kind, key: '', value: '' };
    case 'outcome':
      return { kind, outcomes: [] };
  }
}

// An empty id is sent as it is: the hub's refusal names the field, and the page shows it there.
function newAction(kind: ActionKind, choices: Choices): Action {
  switch (kind) {
    case 'assign_group':
      return { kind, groupId: '' };
    case 'assign_member':
      return { kind, memberId: '' };
    case 'set_category':
      return { kind, categoryId: '' };
    case 'reply':
      return { kind, cannedReplyId: '' };
    case 'template':
      return { kind, name: '', variables: {} };
    case 'create_ticket':
      return { kind, title: '', priority: 'normal', groupId: null, assigneeId: null };
    case 'report':
      return { kind, purpose: choices.purposes[0] ?? '', text: '' };
    case 'webhook':
      return { kind, endpointId: '' };
    case 'note':
      return { kind, text: '' };
  }
}

/** The text a row is typed as, for the conditions whose list is typed (words a line each, outcomes beyond the known). */
function rawOf(condition: Condition): string {
  if (condition.kind === 'words') return condition.words.join('\n');
  if (condition.kind === 'outcome') return condition.outcomes.filter((o) => !KNOWN_OUTCOMES.includes(o)).join(', ');
  return '';
}

/** The editor of one rule: when, if, then, and whether later rules still run. `rule` null: a new rule. */
export function RuleEditor(props: { rule: Rule | null; choices: Choices; save: (body: RuleBody) => Promise<void>; close: () => void }) {
  const { rule, choices, save, close } = props;
  const words = useWords(automationWords);
  const text = useText();
  const [name, setName] = useState(rule?.name ?? '');
  const [event, setEvent] = useState<RuleEvent>(rule?.event ?? 'conversation.resolved');
  const [conditions, setConditions] = useState(() => (rule?.conditions ?? []).map((c) => rowOf(c, rawOf(c))));
  const [actions, setActions] = useState(() => (rule?.actions ?? []).map((a) => rowOf(a)));
  const [stopProcessing, setStopProcessing] = useState(rule?.stopProcessing ?? false);
  const [conditionKind, setConditionKind] = useState<ConditionKind>('channel');
  const [actionKind, setActionKind] = useState<ActionKind>('note');
  const fields = ['name', 'event', 'conditions', 'actions', ...conditions.map((_, i) => `conditions.${i}`), ...actions.map((_, i) => `actions.${i}`)];
  const form = useServerForm<string>(fields);
  const scope = `rule-${rule?.id ?? 'new'}`;

  const submit = form.handle(async () => {
    await save({ name, event, enabled: rule?.enabled ?? true, conditions: conditions.map((row) => row.value), actions: actions.map((row) => row.value), stopProcessing });
    close();
  });
  const setCondition = (key: number, value: Condition, raw?: string) => setConditions(conditions.map((row) => (row.key === key ? { ...row, value, raw: raw ?? row.raw } : row)));
  const setAction = (key: number, value: Action) => setActions(actions.map((row) => (row.key === key ? { ...row, value } : row)));
  const title = rule ? words.editRule : words.newRule;

  return (
    <form onSubmit={submit} aria-label={title} className="rule-editor" noValidate>
      <h3>{title}</h3>
      <Field form={form} name="name" label={words.ruleName} scope={scope}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field form={form} name="event" label={words.when} scope={scope}>
        {(control) => <EventSelect control={control} value={event} set={setEvent} names={words.events} />}
      </Field>

      <fieldset aria-label={words.conditions}>
        <legend>{words.conditions}</legend>
        {conditions.length === 0 && <p className="hint">{words.noConditions}</p>}
        {conditions.map((row, index) => (
          <RowBox key={row.key} form={form} name={`conditions.${index}`} legend={`${words.conditionKinds[row.value.kind]}`} remove={() => setConditions(conditions.filter((r) => r.key !== row.key))} words={words}>
            <ConditionFields row={row} index={index} form={form} scope={scope} choices={choices} words={words} set={(value, raw) => setCondition(row.key, value, raw)} />
          </RowBox>
        ))}
        <div className="inline-fields">
          <label>
            {words.conditionKind}
            <select value={conditionKind} onChange={(e) => setConditionKind(e.target.value as ConditionKind)}>
              {CONDITION_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {words.conditionKinds[kind]}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="secondary" onClick={() => setConditions([...conditions, rowOf(newCondition(conditionKind))])}>
            {words.addCondition}
          </button>
        </div>
      </fieldset>

      <fieldset aria-label={words.actions}>
        <legend>{words.actions}</legend>
        {actions.map((row, index) => (
          <RowBox
            key={row.key}
            form={form}
            name={`actions.${index}`}
            legend={`${index + 1}. ${words.actionKinds[row.value.kind]}`}
            remove={() => setActions(actions.filter((r) => r.key !== row.key))}
            move={(by) => setActions(swapped(actions, index, by))}
            first={index === 0}
            last={index === actions.length - 1}
            words={words}
          >
            <ActionFields action={row.value} index={index} form={form} scope={scope} choices={choices} words={words} set={(value) => setAction(row.key, value)} />
          </RowBox>
        ))}
        {form.error('actions') && !actions.length && (
          <p className="field-error" role="alert">
            {form.error('actions')}
          </p>
        )}
        <div className="inline-fields">
          <label>
            {words.actionKind}
            <select value={actionKind} onChange={(e) => setActionKind(e.target.value as ActionKind)}>
              {ACTION_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {words.actionKinds[kind]}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="secondary" onClick={() => setActions([...actions, rowOf(newAction(actionKind, choices))])}>
            {words.addAction}
          </button>
        </div>
      </fieldset>

      <label className="checkbox">
        <input type="checkbox" checked={stopProcessing} onChange={(e) => setStopProcessing(e.target.checked)} />
        {words.stopProcessing}
      </label>
      <div className="actions">
        <FormSubmit form={form} label={text.save} />
        <button type="button" className="secondary" onClick={close}>
          {words.cancel}
        </button>
      </div>
    </form>
  );
}

/** One condition or action: its fields, a remove button, and the hub's refusal of it when it named no single field. */
function RowBox(props: { form: ServerForm<string>; name: string; legend: string; remove: () => void; move?: (by: -1 | 1) => void; first?: boolean; last?: boolean; words: Words; children: ReactNode }) {
  const { form, name, legend, remove, move, first, last, words, children } = props;
  return (
    <fieldset className={`rule-row${form.error(name) ? ' invalid' : ''}`} aria-label={legend}>
      <legend>{legend}</legend>
      {children}
      <div className="actions">
        {move && (
          <>
            <button type="button" className="secondary" disabled={first} onClick={() => move(-1)}>
              {words.up}
            </button>
            <button type="button" className="secondary" disabled={last} onClick={() => move(1)}>
              {words.down}
            </button>
          </>
        )}
        <button type="button" className="secondary" onClick={remove}>
          {words.remove}
        </button>
      </div>
    </fieldset>
  );
}

/** The rows with the one at `index` moved up (-1) or down (1); actions run in the order the rows are in. */
function swapped<T>(rows: T[], index: number, by: -1 | 1): T[] {
  const next = [...rows];
  [next[index], next[index + by]] = [next[index + by], next[index]];
  return next;
}

/** Checkboxes for "any of" a list; the hub's refusal of the list below them. */
function Picks(props: { form: ServerForm<string>; name: string; label: string; options: { id: string; name: string }[]; chosen: string[]; set: (ids: string[]) => void }) {
  const { form, name, label, options, chosen, set } = props;
  const error = form.error(name);
  return (
    <div role="group" aria-label={label} className={`field picks${error ? ' invalid' : ''}`} aria-invalid={!!error}>
      <span className="label">{label}</span>
      {options.map((option) => (
        <label key={option.id} className="checkbox">
          <input type="checkbox" checked={chosen.includes(option.id)} onChange={(e) => set(e.target.checked ? [...chosen, option.id] : chosen.filter((id) => id !== option.id))} />
          {option.name}
        </label>
      ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function ConditionFields(props: { row: Row<Condition>; index: number; form: ServerForm<string>; scope: string; choices: Choices; words: Words; set: (value: Condition, raw?: string) => void }) {
  const { row, index, form, scope, choices, words, set } = props;
  const c = row.value;
  const at = `conditions.${index}`;
  switch (c.kind) {
    case 'channel':
      return <Picks form={form} name={`${at}.channelIds`} label={words.channels} options={choices.channels} chosen={c.channelIds} set={(channelIds) => set({ ...c, channelIds })} />;
    case 'category':
      return <Picks form={form} name={`${at}.categoryIds`} label={words.categories} options={choices.categories} chosen={c.categoryIds} set={(categoryIds) => set({ ...c, categoryIds })} />;
    case 'store':
      return <Picks form={form} name={`${at}.stores`} label={words.stores} options={choices.stores.map((s) => ({ id: s, name: s }))} chosen={c.stores} set={(stores) => set({ ...c, stores })} />;
    case 'intake_answer':
      return (
        <>
          <Field form={form} name={`${at}.question`} label={words.question} scope={scope}>
            {(control) => <input {...control} value={c.question} onChange={(e) => set({ ...c, question: e.target.value })} />}
          </Field>
          <Field form={form} name={`${at}.answer`} label={words.answer} scope={scope}>
            {(control) => <input {...control} value={c.answer} onChange={(e) => set({ ...c, answer: e.target.value })} />}
          </Field>
        </>
      );
    case 'words':
      return (
        <>
          <Field form={form} name={`${at}.words`} label={words.words} scope={scope}>
            {(control) => (
              <textarea
                {...control}
                rows={3}
                value={row.raw}
                onChange={(e) => set({ ...c, words: e.target.value.split('\n').map((w) => w.trim()).filter(Boolean) }, e.target.value)}
              />
            )}
          </Field>
          <Field form={form} name={`${at}.match`} label={words.wordsMatch} scope={scope}>
            {(control) => (
              <select {...control} value={c.match ?? 'any'} onChange={(e) => set({ ...c, match: e.target.value as 'any' | 'all' })}>
                <option value="any">{words.matchAny}</option>
                <option value="all">{words.matchAll}</option>
              </select>
            )}
          </Field>
        </>
      );
    case 'business_hours':
      return (
        <Field form={form} name={`${at}.inside`} label={words.hours} scope={scope}>
          {(control) => (
            <select {...control} value={c.inside ? 'inside' : 'outside'} onChange={(e) => set({ ...c, inside: e.target.value === 'inside' })}>
              <option value="inside">{words.insideHours}</option>
              <option value="outside">{words.outsideHours}</option>
            </select>
          )}
        </Field>
      );
    case 'contact_attribute':
      return (
        <>
          <Field form={form} name={`${at}.key`} label={words.attributeKey} scope={scope}>
            {(control) => <input {...control} value={c.key} onChange={(e) => set({ ...c, key: e.target.value })} />}
          </Field>
          <Field form={form} name={`${at}.value`} label={words.attributeValue} scope={scope}>
            {(control) => <input {...control} value={c.value} onChange={(e) => set({ ...c, value: e.target.value })} />}
          </Field>
        </>
      );
    case 'outcome': {
      const known = c.outcomes.filter((o) => KNOWN_OUTCOMES.includes(o));
      const others = (raw: string) => raw.split(/[,、]/).map((o) => o.trim()).filter(Boolean);
      return (
        <>
          <Picks
            form={form}
            name={`${at}.outcomes`}
            label={words.outcomes}
            options={[{ id: 'booked', name: words.booked }, { id: 'not_booked', name: words.notBooked }]}
            chosen={known}
            set={(ids) => set({ ...c, outcomes: [...ids, ...others(row.raw)] })}
          />
          <label>
            {words.otherOutcomes}
            <input value={row.raw} onChange={(e) => set({ ...c, outcomes: [...known, ...others(e.target.value)] }, e.target.value)} />
          </label>
        </>
      );
    }
  }
}

/** A select of the team's things, with a first empty choice the hub refuses when it is sent. */
function Choice(props: { form: ServerForm<string>; name: string; label: string; scope: string; value: string; options: { id: string; name: string }[]; set: (id: string) => void; empty: string }) {
  const { form, name, label, scope, value, options, set, empty } = props;
  return (
    <Field form={form} name={name} label={label} scope={scope}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => set(e.target.value)}>
          <option value="">{empty}</option>
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function ActionFields(props: { action: Action; index: number; form: ServerForm<string>; scope: string; choices: Choices; words: Words; set: (value: Action) => void }) {
  const { action: a, index, form, scope, choices, words, set } = props;
  const at = `actions.${index}`;
  const common = { form, scope, empty: words.choose };
  switch (a.kind) {
    case 'assign_group':
      return <Choice {...common} name={`${at}.groupId`} label={words.group} value={a.groupId} options={choices.groups} set={(groupId) => set({ ...a, groupId })} />;
    case 'assign_member':
      return <Choice {...common} name={`${at}.memberId`} label={words.member} value={a.memberId} options={choices.members} set={(memberId) => set({ ...a, memberId })} />;
    case 'set_category':
      return <Choice {...common} name={`${at}.categoryId`} label={words.category} value={a.categoryId} options={choices.categories} set={(categoryId) => set({ ...a, categoryId })} />;
    case 'reply':
      return <Choice {...common} name={`${at}.cannedReplyId`} label={words.cannedReply} value={a.cannedReplyId} options={choices.replies} set={(cannedReplyId) => set({ ...a, cannedReplyId })} />;
    case 'template': {
      const chosen = choices.templates.find((t) => t.name === a.name);
      return (
        <>
          {choices.templates.length === 0 && <p className="hint">{words.noTemplates}</p>}
          <Choice
            {...common}
            name={`${at}.name`}
            label={words.template}
            value={a.name}
            options={choices.templates.map((t) => ({ id: t.name, name: `${t.name} (${t.channels.join(', ')})` }))}
            // A new template keeps only the values of the variables it has too.
            set={(name) => set({ ...a, name, variables: Object.fromEntries(Object.entries(a.variables).filter(([v]) => choices.templates.find((t) => t.name === name)?.variables.includes(v))) })}
          />
          {chosen?.variables.map((variable) => (
            <Field key={variable} form={form} name={`${at}.variables.${variable}`} label={words.variable(variable)} scope={scope}>
              {(control) => <input {...control} value={a.variables[variable] ?? ''} onChange={(e) => set({ ...a, variables: { ...a.variables, [variable]: e.target.value } })} />}
            </Field>
          ))}
        </>
      );
    }
    case 'create_ticket':
      return (
        <>
          <Field form={form} name={`${at}.title`} label={words.ticketTitle} scope={scope}>
            {(control) => <input {...control} value={a.title} onChange={(e) => set({ ...a, title: e.target.value })} />}
          </Field>
          <Field form={form} name={`${at}.priority`} label={words.priority} scope={scope}>
            {(control) => (
              <select {...control} value={a.priority ?? 'normal'} onChange={(e) => set({ ...a, priority: e.target.value as 'normal' })}>
                {(['low', 'normal', 'high', 'urgent'] as const).map((p) => (
                  <option key={p} value={p}>
                    {words.priorities[p]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Choice {...common} empty={words.nobody} name={`${at}.groupId`} label={words.ticketGroup} value={a.groupId ?? ''} options={choices.groups} set={(groupId) => set({ ...a, groupId: groupId || null })} />
          <Choice {...common} empty={words.nobody} name={`${at}.assigneeId`} label={words.ticketAssignee} value={a.assigneeId ?? ''} options={choices.members} set={(assigneeId) => set({ ...a, assigneeId: assigneeId || null })} />
        </>
      );
    case 'report':
      return (
        <>
          {choices.purposes.length === 0 && <p className="hint">{words.noPurposes}</p>}
          <Choice {...common} name={`${at}.purpose`} label={words.purpose} value={a.purpose} options={choices.purposes.map((p) => ({ id: p, name: words.purposes[p] ?? p }))} set={(purpose) => set({ ...a, purpose })} />
          <Field form={form} name={`${at}.text`} label={words.reportText} scope={scope}>
            {(control) => <textarea {...control} rows={3} value={a.text} onChange={(e) => set({ ...a, text: e.target.value })} />}
          </Field>
        </>
      );
    case 'webhook':
      return (
        <Choice {...common} name={`${at}.endpointId`} label={words.endpoint} value={a.endpointId} options={choices.endpoints} set={(endpointId) => set({ ...a, endpointId })} />
      );
    case 'note':
      return (
        <Field form={form} name={`${at}.text`} label={words.noteText} scope={scope}>
          {(control) => <textarea {...control} rows={2} value={a.text} onChange={(e) => set({ ...a, text: e.target.value })} />}
        </Field>
      );
  }
}
