/**
 * One answer shared by every caller while it is read and for `reuseMs` after it came: a public route probed by many
 * clients at once (readiness, metrics) asks the database at most once per `reuseMs`, however many ask.
 */
export interface SharedRead<T> {
  get(): Promise<T>;
}

export function sharedRead<T>(read: () => Promise<T>, reuseMs: number): SharedRead<T> {
  let current: Promise<T> | null = null;
  return {
    get() {
      if (current) return current;
      const answer = read();
      current = answer;
      const forget = () => {
        setTimeout(() => {
          if (current === answer) current = null;
        }, reuseMs).unref();
      };
      answer.then(forget, forget);
      return answer;
    },
  };
}
