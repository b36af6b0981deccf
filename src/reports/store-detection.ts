import { compileUrlPattern } from '../common/text/url-pattern.js';
import type { UrlPattern } from '../common/text/url-pattern.js';

/**
 * A team's `settings.stores`, written out rather than read from the teams module: the admin page's URL tester imports
 * this file as it is, so that it matches a URL exactly as the hub does, and must not pull the server in with it.
 */
export interface StoreTable {
  patterns: { pattern: string; store?: string }[];
  defaultStore?: string;
}

/** Where `{store}` came from: the agent said so, the page the chat is on, an earlier page of the visitor, or nothing. */
export type StoreSource = 'agent' | 'page' | 'access_log' | 'unknown';

export interface DetectedStore {
  store: string | null;
  source: StoreSource;
  /** The page that told it, when a page did. */
  url: string | null;
}

/** What a report shows when the store cannot be told (the agent asks the customer and sets it). */
export const UNKNOWN_STORE = '店舗不明';

// Compiled once per pattern text: a team's table is read for every page of every visitor.
const compiled = new Map<string, UrlPattern>();

function patternOf(pattern: string): UrlPattern {
  let found = compiled.get(pattern);
  if (!found) {
    found = compileUrlPattern(pattern);
    if (compiled.size >= 10_000) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, found);
  }
  return found;
}

/** The page without its query and fragment: tracking parameters must not decide which store it is. */
function pageAddress(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** The store a page belongs to by the team's table (first matching pattern wins), or null when none matches. */
export function storeOfPage(table: StoreTable | undefined, url: string): string | null {
  if (!table) return null;
  const address = pageAddress(url);
  if (!address) return null;
  for (const entry of table.patterns) {
    // A pattern may be written with or without the query part; compare it with the same cut.
    if (patternOf(entry.pattern.split(/[?#]/)[0]).matches(address)) return entry.store ?? table.defaultStore ?? null;
  }
  return null;
}

/**
 * The manual's order: the URL of the page the chat is on names the store (or is one of the default store's pages);
 * else the visitor's earlier pages (the access log) tell it; else it is unknown until the agent sets it. An agent's
 * choice wins over all of them.
 *
 * `pages`: the visitor's pages, newest first; the first is the page the chat is on.
 */
export function detectStore(table: StoreTable | undefined, pages: { url: string }[], setByAgent: string | null): DetectedStore {
  if (setByAgent) return { store: setByAgent, source: 'agent', url: null };
  const [current, ...earlier] = pages;
  const here = current ? storeOfPage(table, current.url) : null;
  if (current && here) return { store: here, source: 'page', url: current.url };
  for (const page of earlier) {
    const store = storeOfPage(table, page.url);
    if (store) return { store, source: 'access_log', url: page.url };
  }
  return { store: null, source: 'unknown', url: null };
}
