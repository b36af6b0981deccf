import { useContext, useEffect, useState } from 'react';
import { ApiError } from '../../api';
import { CurrentLanguage, fill, useWords } from '../../i18n';
import { todayIn } from './hours-draft';
import { previewHours } from './useBusinessHours';
import type { BusinessHours, OpeningPreview } from './useBusinessHours';
import { hoursWords } from './words';

/** How long the editor waits after the last change before asking the hub (one request per pause, not per key). */
const PREVIEW_PAUSE_MS = 300;

/**
 * What the hours being edited mean now, by the hub's clock and its national holidays ("営業中 13:00まで · 次は 14:00"):
 * the hub, not the page, reads the hours, so the preview is what routing will do. Hours the hub cannot read show its
 * sentence instead.
 */
export function HoursPreview({ hours, timeZone }: { hours: BusinessHours | null; timeZone: string }) {
  const words = useWords(hoursWords);
  const [answer, setAnswer] = useState<{ preview: OpeningPreview } | { refusal: string } | null>(null);
  const key = JSON.stringify([hours, timeZone]);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      previewHours(hours, timeZone).then(
        (preview) => current && setAnswer({ preview }),
        (error: unknown) => current && setAnswer({ refusal: error instanceof ApiError ? error.message : String(error) }),
      );
    }, PREVIEW_PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `key` stands for `hours` and `timeZone`: a new object with the same hours asks nothing new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <section aria-label={words.preview} className="hours-preview">
      <h3>{words.preview}</h3>
      <p role="status" className={answer && 'refusal' in answer ? 'error' : undefined}>
        {answer === null ? '…' : 'refusal' in answer ? answer.refusal : <PreviewSentence preview={answer.preview} />}
      </p>
    </section>
  );
}

export function PreviewSentence({ preview }: { preview: OpeningPreview }) {
  const words = useWords(hoursWords);
  const language = useContext(CurrentLanguage);
  if (preview.alwaysOpen) return <>{words.alwaysOpenPreview}</>;
  const today = todayIn(preview.timeZone);
  // A time today is said as 14:00; another day's with its date (12/8(火) 09:00), all in the team's time zone.
  const when = (at: string) => {
    const instant = new Date(at);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: preview.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
    if (todayIn(preview.timeZone, instant) === today) return time;
    const day = new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: preview.timeZone, month: 'numeric', day: 'numeric', weekday: 'short' }).format(instant);
    return `${day} ${time}`;
  };
  const parts = [preview.openNow ? fill(words.openUntil, { until: preview.until ? when(preview.until) : '—' }) : words.closedNow];
  parts.push(preview.next ? fill(words.nextOpening, { next: when(preview.next) }) : words.noNextOpening);
  return <>{parts.join(words.previewSeparator)}</>;
}
