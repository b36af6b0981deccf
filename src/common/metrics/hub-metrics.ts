/**
 * What feature modules tell the hub's metrics, and the gauges they let it read at scrape time. Modules hold this
 * port only (token {@link HUB_METRICS}); which metrics library counts, and how `/metrics` is served, stays in
 * `common/metrics`.
 */
export interface HubMetrics {
  /**
   * A provider's webhook was answered: `outcome` is `stored` for a 2xx, else the refusal's code (`invalid_signature`,
   * `unknown_channel`, ...) or `error`. `seconds`: from the request reaching the controller to its answer.
   */
  webhookAnswered(provider: string, outcome: string, seconds: number): void;
  /** A delivery of the outbox ended: `sent` (the provider took it) or `failed` (for good). */
  deliveryFinished(outcome: 'sent' | 'failed'): void;
  /**
   * A gauge whose value comes from the database, read when `/metrics` is scraped. Every such gauge of one scrape is
   * read together, and scrapes within a second of that read share it.
   */
  gaugeFromDatabase(gauge: DatabaseGauge): void;
}

/** One gauge read at scrape time; `read` should be a cheap, indexed count. */
export interface DatabaseGauge {
  /** `tsunagi_...`, snake_case, unique. */
  name: string;
  help: string;
  /** The label of each reading, when the gauge has one (`state`). */
  label?: string;
  /** A number, or one number per label value. */
  read(): Promise<number | Record<string, number>>;
}

export const HUB_METRICS = Symbol('HubMetrics');
