import { useContext, useState } from 'react';
import { Link } from 'react-router';
import { CurrentLanguage, useWords } from '../../i18n';
import { useServerForm, FormRefusal } from '../../shared/forms';
import { ConfirmButton } from '../members/ConfirmButton';
import { RuleEditor } from './RuleEditor';
import { RuleTester } from './RuleTester';
import { useChoices, useRules, useRuns } from './useAutomation';
import type { Action, Rule, RuleBody } from './useAutomation';
import { automationWords } from './words';
import './automation.css';

/** `/app/admin/automation`: the team's rules in order, the editor of one, a dry run against a past conversation, and the last runs. */
export function AutomationSection() {
  const words = useWords(automationWords);
  const { rules, create, update, remove, reorder, test } = useRules();
  const choices = useChoices();
  const { runs, reload } = useRuns();
  // null: no editor open; 'new': a rule being added; else the id of the rule being edited.
  const [editing, setEditing] = useState<string | null>(null);
  const form = useServerForm([] as const);
  const list = rules ?? [];

  const move = (index: number, by: -1 | 1) => {
    const ids = list.map((rule) => rule.id);
    [ids[index], ids[index + by]] = [ids[index + by], ids[index]];
    form.handle(() => reorder(ids))();
  };
  const toggle = (rule: Rule, enabled: boolean) => form.handle(() => update(rule.id, { ...bodyOf(rule), enabled }))();
  const editedRule = list.find((rule) => rule.id === editing) ?? null;

  return (
    <>
      <section aria-label={words.rules}>
        <h2>{words.rules}</h2>
        <p className="hint">{words.rulesHint}</p>
        <FormRefusal form={form} />
        {rules && list.length === 0 && <p>{words.noRules}</p>}
        <ol className="rule-list" aria-label={words.rules}>
          {list.map((rule, index) => (
            <li key={rule.id} aria-label={rule.name} className={rule.enabled ? '' : 'off'}>
              <div>
                <strong>{rule.name}</strong>
                <span className="hint">
                  {' '}
                  {words.events[rule.event]}
                  {rule.stopProcessing ? ` · ${words.stops}` : ''}
                </span>
              </div>
              <div className="actions">
                <label className="checkbox">
                  <input type="checkbox" checked={rule.enabled} onChange={(e) => toggle(rule, e.target.checked)} />
                  {words.enabled}
                </label>
                <button type="button" className="secondary" disabled={index === 0} onClick={() => move(index, -1)}>
                  {words.up}
                </button>
                <button type="button" className="secondary" disabled={index === list.length - 1} onClick={() => move(index, 1)}>
                  {words.down}
                </button>
                <button type="button" className="secondary" onClick={() => setEditing(rule.id)}>
                  {words.edit}
                </button>
                <ConfirmButton label={words.delete} question={words.deleteQuestion} yes={words.delete} no={words.cancel} className="danger" onConfirm={form.handle(() => remove(rule.id))} />
              </div>
            </li>
          ))}
        </ol>
        {editing === null && (
          <button type="button" onClick={() => setEditing('new')}>
            {words.addRule}
          </button>
        )}
        {choices && editing !== null && (editing === 'new' || editedRule) && (
          <RuleEditor
            key={editing}
            rule={editedRule}
            choices={choices}
            save={(body: RuleBody) => (editedRule ? update(editedRule.id, body) : create(body))}
            close={() => setEditing(null)}
          />
        )}
      </section>
      <RuleTester rules={list} test={test} />
      <RunsLog runs={runs} reload={reload} />
    </>
  );
}

/** What the hub takes back for a rule it answered: the view without its id, position and times. */
function bodyOf(rule: Rule): RuleBody {
  return { name: rule.name, enabled: rule.enabled, event: rule.event, conditions: rule.conditions, actions: rule.actions, stopProcessing: rule.stopProcessing };
}

function RunsLog({ runs, reload }: ReturnType<typeof useRuns>) {
  const words = useWords(automationWords);
  const language = useContext(CurrentLanguage);
  const kindOf = (kind: string) => words.actionKinds[kind as Action['kind']] ?? kind;
  const conditionOf = (kind: string) => words.conditionKinds[kind as keyof typeof words.conditionKinds] ?? kind;
  return (
    <section aria-label={words.runs}>
      <h2>{words.runs}</h2>
      <button type="button" className="secondary" onClick={() => void reload()}>
        {words.refresh}
      </button>
      {runs.length === 0 ? (
        <p>{words.noRuns}</p>
      ) : (
        <table aria-label={words.runs}>
          <thead>
            <tr>
              <th>{words.at}</th>
              <th>{words.event}</th>
              <th>{words.rule}</th>
              <th>{words.result}</th>
              <th>{words.actionResults}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const mismatch = run.conditions.find((c) => !c.matched);
              return (
                <tr key={run.id}>
                  <td>{new Date(run.createdAt).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB')}</td>
                  <td>{words.events[run.eventType as keyof typeof words.events] ?? run.eventType}</td>
                  <td>
                    {run.ruleName}
                    {run.conversationId && (
                      <>
                        {' '}
                        <Link to={`/conversations/${run.conversationId}`}>{words.openConversation}</Link>
                      </>
                    )}
                  </td>
                  <td>
                    {words.statuses[run.status]}
                    {mismatch && ` (${words.firstMismatch}: ${conditionOf(mismatch.kind)})`}
                  </td>
                  <td>
                    <ul className="plain">
                      {run.actions.map((action, index) => (
                        <li key={index}>
                          {kindOf(action.kind)}: {action.status === 'done' ? words.done : `${words.failed} (${action.code ?? ''})`}
                          {action.detail && action.status === 'done' ? ` ${action.detail}` : ''}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
