import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import { useWords } from '../i18n';

type Intake = Views['ConversationIntake'];

const intakeWords = {
  ja: { title: '事前質問の回答' },
  en: { title: 'Intake answers' },
};

/** The web chat intake's answers (予約希望 -> 初診 -> 希望日時), question by question, as the visitor gave them. */
export function IntakePanel({ conversationId }: { conversationId: string }) {
  const words = useWords(intakeWords);
  const [intake, setIntake] = useState<Intake | null>(null);

  useEffect(() => {
    let current = true;
    answer(hub.GET('/api/conversations/{id}/intake', { params: { path: { id: conversationId } } })).then(
      (read) => current && setIntake(read),
      () => current && setIntake(null),
    );
    return () => {
      current = false;
    };
  }, [conversationId]);

  if (!intake || intake.answers.length === 0) return null;
  return (
    <section aria-label={words.title} className="intake">
      <h3>{words.title}</h3>
      <dl>
        {intake.answers.map((step) => (
          <div key={step.key}>
            <dt>{step.question}</dt>
            <dd>{step.answer}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
