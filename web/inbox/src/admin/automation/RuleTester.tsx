import { useCallback, useContext, useEffect, useState } from 'react';
import { answer, hub } from '../../api';
import { CurrentLanguage, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { EventSelect } from './EventSelect';
import type { Action, Rule, RuleEvent, TestInput, TestResult } from './useAutomation';
import { automationWords } from './words';

const PAGE = 50;

/**
 * A dry run of the rules against a past conversation, picked from the team's history (newest first, narrowed by
 * dates) or found by the words of its messages: which conditions match, or the first that does not, and the actions that would run. The hub does nothing.
 */
export function RuleTester({ rules, test }: { rules: Rule[]; test: (body: TestInput) => Promise<TestResult> }) {
  const words = useWords(automationWords);
  const language = useContext(CurrentLanguage);
  const [period, setPeriod] = useState({ q: '', from: '', to: '' });
  const [conversations, setConversations] = useState<{ id: string; label: string }[]>([]);
  // The labels are in the member's language: the newest are read again when it changes.
  const search = useCallback(async (terms: { q: string; from: string; to: string }): Promise<{ id: string; label: string }[]> => {
    const at = (iso: string) => new Date(iso).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB');
    const dates = { ...(terms.from ? { from: terms.from } : {}), ...(terms.to ? { to: terms.to } : {}) };
    if (terms.q.trim()) {
      // Words: the conversations of the messages found (the search's own ranking, newest first), each once.
      const page = await answer(hub.GET('/api/messages/search', { params: { query: { ...dates, q: terms.q, limit: PAGE } } }));
      const seen = new Set<string>();
      return page.items
        .filter((hit) => !seen.has(hit.conversationId) && seen.add(hit.conversationId))
        .map((hit) => ({ id: hit.conversationId, label: `${hit.contactName} · ${at(hit.createdAt)} · 「${hit.body.slice(0, 40)}」` }));
    }
    const page = await answer(hub.GET('/api/conversation-history', { params: { query: { ...dates, limit: PAGE } } }));
    return page.items.map((c) => ({
      id: c.id,
      label: `${c.contactName} · ${c.channelName} · ${at(c.createdAt)} · ${c.resolvedAt ? (c.outcome ? (words.outcomeNames[c.outcome] ?? c.outcome) : '—') : words.unresolvedOutcome}`,
    }));
  }, [words, language]);
  useEffect(() => {
    let current = true;
    void search({ q: '', from: '', to: '' }).then((found) => current && setConversations(found));
    return () => {
      current = false;
    };
  }, [search]);
  const [conversationId, setConversationId] = useState('');
  const [ruleId, setRuleId] = useState('');
  const [event, setEvent] = useState<RuleEvent>('conversation.resolved');
  const [result, setResult] = useState<TestResult | null>(null);
  const form = useServerForm(['conversationId', 'ruleId', 'event'] as const);
  const find = useServerForm(['q', 'from', 'to'] as const);
  const kindOf = (kind: string) => words.actionKinds[kind as Action['kind']] ?? kind;
  const conditionOf = (kind: string) => words.conditionKinds[kind as keyof typeof words.conditionKinds] ?? kind;

  const run = form.handle(async () => {
    setResult(null);
    setResult(await test({ conversationId, ...(ruleId ? { ruleId } : { event }) }));
  });

  return (
    <section aria-label={words.tester}>
      <h2>{words.tester}</h2>
      <p className="hint">{words.testerHint}</p>
      <form
        className="inline-fields"
        aria-label={words.find}
        noValidate
        onSubmit={find.handle(async () => {
          setConversations(await search(period));
          setConversationId('');
        })}
      >
        <Field form={find} name="q" label={words.searchWords} scope="tester">
          {(control) => <input {...control} type="search" value={period.q} onChange={(e) => setPeriod({ ...period, q: e.target.value })} />}
        </Field>
        <Field form={find} name="from" label={words.from} scope="tester">
          {(control) => <input {...control} type="date" value={period.from} onChange={(e) => setPeriod({ ...period, from: e.target.value })} />}
        </Field>
        <Field form={find} name="to" label={words.to} scope="tester">
          {(control) => <input {...control} type="date" value={period.to} onChange={(e) => setPeriod({ ...period, to: e.target.value })} />}
        </Field>
        <FormSubmit form={find} label={words.find} className="secondary" />
      </form>
      <form onSubmit={run} aria-label={words.runTest} noValidate>
        <Field form={form} name="conversationId" label={words.conversation} scope="tester">
          {(control) => (
            <select {...control} value={conversationId} onChange={(e) => setConversationId(e.target.value)}>
              <option value="">{conversations.length === 0 ? words.noConversations : words.choose}</option>
              {conversations.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field form={form} name="ruleId" label={words.testRule} scope="tester">
          {(control) => (
            <select {...control} value={ruleId} onChange={(e) => setRuleId(e.target.value)}>
              <option value="">{words.allRules}</option>
              {rules.map((rule) => (
                <option key={rule.id} value={rule.id}>
                  {rule.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {!ruleId && (
          <Field form={form} name="event" label={words.testEvent} scope="tester">
            {(control) => <EventSelect control={control} value={event} set={setEvent} names={words.events} />}
          </Field>
        )}
        <FormSubmit form={form} label={words.runTest} />
      </form>
      {result && (
        <div role="region" aria-label={`${words.runTest}: ${words.result}`}>
          {result.results.length === 0 && <p>{words.noRulesTested}</p>}
          {result.results.map((r) => (
            <article key={r.ruleId} aria-label={r.ruleName} className={`rule-result ${r.matched ? 'matched' : 'unmatched'}`}>
              <h4>
                {r.ruleName}: {r.matched ? words.matched : words.notMatched}
                {r.stopsHere ? ` · ${words.stops}` : ''}
              </h4>
              <ul className="plain" aria-label={words.conditions}>
                {r.conditions.map((c, index) => (
                  <li key={index}>
                    {conditionOf(c.kind)}: {c.matched ? words.conditionMatched : words.conditionFailed}
                  </li>
                ))}
              </ul>
              {r.actions.length > 0 && <h5>{words.wouldRun}</h5>}
              {r.actions.length > 0 && (
                <ul className="plain" aria-label={words.wouldRun}>
                  {r.actions.map((a, index) => (
                    <li key={index}>{kindOf(a.kind)}</li>
                  ))}
                </ul>
              )}
            </article>
          ))}
        </div>
      )}
    </section>
  );
}
