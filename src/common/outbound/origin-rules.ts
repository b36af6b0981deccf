import { canonicalHost } from './address-policy.js';

/**
 * One origin a request may go to: `scheme://host[:port]`. `port` is `*` for any port. In a provider's official
 * list (not the operator's) a host label may be `*`, standing for exactly one DNS label (Twilio's
 * `api.<edge>.<region>.twilio.com`).
 */
export interface OriginRule {
  scheme: 'http:' | 'https:';
  host: string;
  port: number | '*';
}

const DEFAULT_PORTS = { 'http:': 80, 'https:': 443 } as const;

/** Parses `scheme://host[:port|:*]`; throws an Error saying what is wrong with it. */
export function parseOriginRule(text: string, options: { hostWildcards?: boolean } = {}): OriginRule {
  const entry = text.trim();
  const anyPort = /:\*$/.test(entry);
  const withoutPort = anyPort ? entry.slice(0, -2) : entry;
  // Wildcard labels are not valid in a URL's host: stand a letter in for them while parsing.
  const wildcards = options.hostWildcards ? withoutPort.replace(/(?<=[/.])\*(?=\.)/g, 'x--wildcard') : withoutPort;
  let url: URL;
  try {
    url = new URL(wildcards);
  } catch {
    throw new Error(`"${entry}" is not scheme://host[:port]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${entry}" must start with http:// or https://`);
  if (url.username || url.password || url.search || url.hash || !/^[a-z]+:\/\/[^/]+\/?$/i.test(wildcards)) {
    throw new Error(`"${entry}" must be only scheme://host[:port], without a path`);
  }
  if (anyPort && url.port) throw new Error(`"${entry}" names two ports`);
  if (!options.hostWildcards && url.hostname.includes('*')) throw new Error(`"${entry}" may have * only as its port`);
  return {
    scheme: url.protocol,
    host: canonicalHost(url.hostname).replaceAll('x--wildcard', '*'),
    port: anyPort ? '*' : url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol],
  };
}

/** Parses a comma-separated list (HUB_ALLOWED_API_ORIGINS); empty entries are skipped. */
export function parseOriginList(text: string): OriginRule[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => parseOriginRule(entry));
}

/** Whether a request to `scheme`, `host` and `port` (as a URL or a socket would name them) falls under `rule`. */
export function originMatches(rule: OriginRule, scheme: string, host: string, port: number): boolean {
  if (rule.scheme !== scheme) return false;
  if (rule.port !== '*' && rule.port !== port) return false;
  const wanted = canonicalHost(host);
  if (!rule.host.includes('*')) return rule.host === wanted;
  // Label by label, so that `*` never spans a dot: api.*.twilio.com is not api.evil.example/.twilio.com.
  const ruleLabels = rule.host.split('.');
  const labels = wanted.split('.');
  return ruleLabels.length === labels.length && ruleLabels.every((label, i) => label === '*' || label === labels[i]);
}

/** Scheme, canonical host and port of a URL, the default port filled in. */
export function originOf(url: URL): { scheme: string; host: string; port: number } {
  const scheme = url.protocol;
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS as Record<string, number>)[scheme] ?? 0;
  return { scheme, host: canonicalHost(url.hostname), port };
}
