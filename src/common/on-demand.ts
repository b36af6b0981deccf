/**
 * A module (or anything built from one) loaded the first time it is needed and kept from then on. Provider SDKs
 * and the parsers of rare inputs are loaded this way (`onDemand(() => import('twilio'))`), so that a hub without
 * such a channel never reads them: each costs megabytes of resident memory and hundreds of modules at start.
 * A failed load is not kept: the next call tries again.
 */
export function onDemand<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = null;
      throw error;
    }));
}
