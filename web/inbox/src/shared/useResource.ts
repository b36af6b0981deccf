import { useCallback, useEffect, useState } from 'react';

/**
 * What a screen reads from the hub: `load` runs when the screen opens (and whenever `load` itself changes, so give a
 * module-level function or a `useCallback`), `reload` after the screen changed something.
 */
export function useResource<T>(load: () => Promise<T>): { data: T | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const reload = useCallback(async () => setData(await load()), [load]);
  useEffect(() => {
    let current = true;
    void load().then((next) => current && setData(next));
    return () => {
      current = false;
    };
  }, [load]);
  return { data, reload };
}
