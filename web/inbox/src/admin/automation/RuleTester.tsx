import { useCallback, useContext, useState } from 'react';
import { answer, hub } from '../../api';
import { CurrentLanguage, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { useResource } from '../../shared/useResource';
import { RULE_EVENTS } from './useAutomation';
import type { Action, Rule, RuleEvent, TestInput, TestResult } from './useAutomation';
import { automationWords } from './words';

const PAGE = 50;

/**
 * A dry run of the rules against a past conversation, picked from the team's history (newest first, narrowed by
 * dates): which conditions match, or the first that does not, and the actions that would run. The hub does nothing.
 */
export function RuleTester({ rules, test }: { rules: Rule[]; test: (body: TestInput) => Promise<TestResult> }) {
  const words = useWords(automationWords);
  const language = useContext(CurrentLanguage);
  const [period, setPeriod] = useState({ from: '', to: '' });
  const [terms, setTerms] = useState({ from: '', to: '' });
  const load = useCallback(
    () => answer(hub.GET('/api/conversation-history', { params: { query: { ...(terms.from ? { from: terms.from } : {}), ...(terms.to ? { to: terms.to } : {}), limit: PAGE } } })).then((page) => page.items),
    [terms],
  );
  const conversations = useResource(load).data ?? [];
  const [conversationId, setConversationId] = useState('');
  const [ruleId, setRuleId] = useState('');
  const [event, setEvent] = useState<RuleEvent>('conversation.resolved');
  const [result, setResult] = useState<TestResult | null>(null);
  const form = useServerForm(['conversationId', 'ruleId', 'event'] as const);
  const find = useServerForm(['from', 'to'] as const);
  const at = (iso: string) => new Date(iso).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB');
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
          setTerms(period);
          setConversationId('');
        })}
      >
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
                  {`${c.contactName} · ${c.channelName} · ${at(c.createdAt)} · ${c.resolvedAt ? (c.outcome ? (words.outcomeNames[c.outcome] ?? c.outcome) : '—') : words.unresolvedOutcome}`}
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
            {(control) => (
              <select {...control} value={event} onChange={(e) => setEvent(e.target.value as RuleEvent)}>
                {RULE_EVENTS.map((type) => (
                  <option key={type} value={type}>
                    {words.events[type]}
                  </option>
                ))}
              </select>
            )}
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
