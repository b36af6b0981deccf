import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/errors/domain-error.js';
import { intakeFlow } from '../../common/realtime/events/widget.schema.js';
import { intakeOf, noticeVersion, shownOn, walkIntake } from './intake.js';
import type { IntakeFlow } from './intake.js';

const clinic: IntakeFlow = {
  steps: [
    { key: 'purpose', kind: 'buttons', question: 'ご用件', options: [{ label: '予約希望', next: 'visit' }, { label: 'その他', next: 'other' }] },
    { key: 'visit', kind: 'buttons', question: '初診／再診', options: [{ label: '初診', next: 'date', groupId: 'desk' }, { label: '再診', next: 'date' }] },
    { key: 'date', kind: 'text', question: '希望日時' },
    { key: 'other', kind: 'text', question: 'ご用件の内容', groupId: 'front' },
  ],
};

function refusal(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('walkIntake', () => {
  it('walks a path through the tree and keeps the last group named on it', () => {
    const result = walkIntake(clinic, [
      { key: 'purpose', value: '予約希望' },
      { key: 'visit', value: '初診' },
      { key: 'date', value: '12月10日 10時' },
    ]);
    expect(result).toEqual({
      answers: [
        { key: 'purpose', question: 'ご用件', answer: '予約希望' },
        { key: 'visit', question: '初診／再診', answer: '初診' },
        { key: 'date', question: '希望日時', answer: '12月10日 10時' },
      ],
      groupId: 'desk',
    });
    expect(walkIntake(clinic, [{ key: 'purpose', value: 'その他' }, { key: 'other', value: '駐車場はありますか' }]).groupId).toBe('front');
  });

  // Guards: a script that skips the tree's questions, or invents a button, to reach a group it was not sent to.
  it('refuses answers off the path, invented buttons, answers after the end and a path not finished', () => {
    expect(refusal(() => walkIntake(clinic, [{ key: 'visit', value: '初診' }])).code).toBe('intake_answer_invalid');
    expect(refusal(() => walkIntake(clinic, [{ key: 'purpose', value: '予約' }])).details).toEqual([{ field: 'answers.0', message: expect.stringContaining('buttons') }]);
    const extra = [{ key: 'purpose', value: 'その他' }, { key: 'other', value: 'a' }, { key: 'date', value: 'b' }];
    expect(refusal(() => walkIntake(clinic, extra)).details).toEqual([{ field: 'answers.2', message: expect.stringContaining('ended') }]);
    expect(refusal(() => walkIntake(clinic, [{ key: 'purpose', value: '予約希望' }])).code).toBe('intake_incomplete');
  });
});

describe('intakeFlow', () => {
  it('names a step that does not exist, a key used twice and a loop', () => {
    const issues = (flow: unknown) => intakeFlow.safeParse(flow).error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    expect(issues({ steps: [{ key: 'a', kind: 'text', question: 'A', next: 'b' }] })).toEqual([{ path: 'steps.0.next', message: 'names step "b", which does not exist' }]);
    expect(issues({ steps: [{ key: 'a', kind: 'text', question: 'A' }, { key: 'a', kind: 'text', question: 'B' }] })).toEqual([{ path: 'steps.1.key', message: '"a" is the key of another step' }]);
    const loop = { steps: [{ key: 'a', kind: 'buttons', question: 'A', options: [{ label: 'x', next: 'b' }, { label: 'y' }] }, { key: 'b', kind: 'text', question: 'B', next: 'a' }] };
    expect(issues(loop)).toEqual([{ path: 'steps', message: expect.stringContaining('never ends') }]);
    expect(intakeFlow.safeParse(clinic).success).toBe(true);
  });
});

describe('intakeOf', () => {
  it('reads an older one-question preChat as a one-step intake', () => {
    expect(intakeOf({ preChat: { question: '初めてですか？', options: ['はい', 'いいえ'] } })).toEqual({
      steps: [{ key: 'prechat', kind: 'buttons', question: '初めてですか？', options: [{ label: 'はい' }, { label: 'いいえ' }] }],
    });
    expect(intakeOf({ intake: clinic, preChat: { question: 'q', options: ['a', 'b'] } })).toBe(clinic);
    expect(intakeOf({})).toBeNull();
  });
});

describe('shownOn', () => {
  it('hides the widget where hideOn matches, and shows it only where showOn matches when given', () => {
    const appearance = { showOn: ['https://shop.example/*'], hideOn: ['*/checkout*'] };
    expect(shownOn(appearance, 'https://shop.example/items/1')).toBe(true);
    expect(shownOn(appearance, 'https://shop.example/checkout/2')).toBe(false);
    expect(shownOn(appearance, 'https://elsewhere.example/')).toBe(false);
    expect(shownOn({ hideOn: ['*/checkout*'] }, 'https://elsewhere.example/')).toBe(true);
    expect(shownOn(undefined, 'https://elsewhere.example/')).toBe(true);
  });
});

describe('noticeVersion', () => {
  it('changes with the text, so that a changed notice is agreed to again', () => {
    expect(noticeVersion('同意します')).toMatch(/^[a-f0-9]{12}$/);
    expect(noticeVersion('同意します')).not.toBe(noticeVersion('同意します。'));
  });
});
