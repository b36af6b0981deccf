import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DomainError } from '../../common/errors/domain-error.js';
import type { intakeFlow, widgetAppearance } from '../../common/realtime/events/widget.schema.js';
import { compileUrlPattern } from '../../common/text/url-pattern.js';
import type { IntakeResult } from '../channel-adapter.js';
import type { WebchatSettings } from './webchat.schema.js';

export type IntakeFlow = z.output<typeof intakeFlow>;
type Appearance = z.output<typeof widgetAppearance>;

/** The key a one-question `preChat` is stored under when it is read as a one-step intake. */
export const PRE_CHAT_KEY = 'prechat';

/** The channel's intake: its own tree, else the older `preChat` as a one-step tree of buttons, else none. */
export function intakeOf(settings: WebchatSettings): IntakeFlow | null {
  if (settings.intake) return settings.intake;
  if (!settings.preChat) return null;
  return { steps: [{ key: PRE_CHAT_KEY, kind: 'buttons', question: settings.preChat.question, options: settings.preChat.options.map((label) => ({ label })) }] };
}

/**
 * The visitor's answers walked through the tree from its first step: each answers the step the path has reached
 * (a button's own label, or words for a text step), and the last ends the path. The group is the last one named on
 * the path. Anything else is refused with `intake_answer_invalid`, naming the answer.
 */
export function walkIntake(flow: IntakeFlow, answers: Array<{ key: string; value: string }>): IntakeResult {
  const byKey = new Map(flow.steps.map((step) => [step.key, step]));
  const walked: IntakeResult['answers'] = [];
  let groupId: string | null = null;
  let step: IntakeFlow['steps'][number] | undefined = flow.steps[0];
  const refuse = (i: number, message: string): never => {
    throw new DomainError('invalid', 'intake_answer_invalid', 'The answers do not follow the intake.', [{ field: `answers.${i}`, message }]);
  };
  for (const [i, answer] of answers.entries()) {
    if (!step) return refuse(i, 'comes after the intake has ended');
    if (answer.key !== step.key) refuse(i, `answers "${answer.key}", but the step asked here is "${step.key}"`);
    let next: string | undefined;
    if (step.kind === 'buttons') {
      const option: { label: string; next?: string; groupId?: string } | undefined = step.options.find((o) => o.label === answer.value);
      if (!option) return refuse(i, `is not one of the buttons of "${step.key}"`);
      next = option.next;
      groupId = option.groupId ?? groupId;
    } else {
      next = step.next;
      groupId = step.groupId ?? groupId;
    }
    walked.push({ key: step.key, question: step.question, answer: answer.value });
    step = next === undefined ? undefined : byKey.get(next);
  }
  if (step) throw new DomainError('invalid', 'intake_incomplete', `The intake is not finished: "${step.key}" is still to be answered.`, [{ field: 'answers', message: `needs an answer to "${step.key}"` }]);
  return { answers: walked, groupId };
}

/** The data notice's version: its text's digest, so that a changed text is agreed to again. */
export function noticeVersion(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Whether the widget shows on a page: not on one `hideOn` matches, and on one `showOn` matches (any, without it). */
export function shownOn(appearance: Appearance | null | undefined, url: string | undefined): boolean {
  if (!appearance || !url) return true;
  const matches = (patterns: string[] | undefined) => (patterns ?? []).some((pattern) => compileUrlPattern(pattern).matches(url));
  if (matches(appearance.hideOn)) return false;
  return !appearance.showOn?.length || matches(appearance.showOn);
}
