import { REGISTERED } from './channel-adapter.js';
import type { ChannelAccount, ChannelAdapter, ChannelProvider, ChannelType, RegisteredAdapter } from './channel-adapter.js';
import { DomainError } from '../common/errors/domain-error.js';
import { isChannelType } from '../common/channel-types.js';

/** All channel adapters under one lookup, instead of a `switch (provider)` in every service. */
export class ChannelRegistry {
  /** One entry per provider: a provider left out, or an adapter not registered, does not compile. */
  constructor(private readonly adapters: Readonly<Record<ChannelProvider, RegisteredAdapter>>) {}

  get(provider: ChannelProvider): RegisteredAdapter {
    return this.adapters[provider];
  }

  /** The adapter for a type and provider a client asked for, or a refusal that names what exists. */
  forRequest(type: string, provider: string): RegisteredAdapter {
    const adapter = this.all().find((a) => a.provider === provider);
    if (!adapter || !isChannelType(type) || !adapter.types.includes(type)) {
      const available = this.all()
        .flatMap((a) => a.types.map((t) => `${t}/${a.provider}`))
        .join(', ');
      throw new DomainError('invalid', 'unsupported_channel', `This hub cannot run a ${type} channel through ${provider}; available: ${available}.`, [
        { field: 'provider', message: `must be one of: ${available}` },
      ]);
    }
    return adapter;
  }

  all(): RegisteredAdapter[] {
    return Object.values(this.adapters);
  }

  /** The channel types some adapter serves. */
  types(): ChannelType[] {
    return [...new Set(this.all().flatMap((a) => a.types))];
  }
}

/**
 * The boundary between the hub, which holds channel accounts as stored, and an adapter, which reads them
 * through its own schemas: each account is read once (per loaded object) and every call of the adapter gets
 * the typed account. A stored config the schema no longer reads fails the call with `channel_settings_invalid`
 * rather than reaching the adapter half-read.
 */
export function registerAdapter<Settings, Secrets>(adapter: ChannelAdapter<Settings, Secrets>): RegisteredAdapter {
  const read = new WeakMap<ChannelAccount, ChannelAccount<Settings, Secrets>>();
  const open = (stored: ChannelAccount): ChannelAccount<Settings, Secrets> => {
    const known = read.get(stored);
    if (known) return known;
    const account = readAccount(adapter, stored);
    read.set(stored, account);
    return account;
  };
  // Bound once: the registered face calls them without their object.
  const verifyBeforeBody = adapter.verifyBeforeBody?.bind(adapter);
  const sendCost = adapter.sendCost?.bind(adapter);
  const resolveTemplate = adapter.resolveTemplate?.bind(adapter);
  const templates = adapter.templates?.bind(adapter);
  const handshake = adapter.handshake?.bind(adapter);
  const activate = adapter.activate?.bind(adapter);
  const pairing = adapter.pairing?.bind(adapter);
  const fetchContent = adapter.fetchContent?.bind(adapter);
  const displayName = adapter.displayName?.bind(adapter);
  const notify = adapter.notify?.bind(adapter);
  const withdraw = adapter.withdraw?.bind(adapter);
  return {
    [REGISTERED]: true,
    provider: adapter.provider,
    types: adapter.types,
    capabilities: adapter.capabilities,
    capabilitiesByType: adapter.capabilitiesByType,
    apiOrigins: adapter.apiOrigins,
    configSchema: adapter.configSchema,
    secretKeys: adapter.secretKeys,
    webhook: adapter.webhook,
    threadDepth: adapter.threadDepth,
    verify: async (channel, request) => adapter.verify(open(channel), request),
    verifyBeforeBody: verifyBeforeBody && ((channel, request) => verifyBeforeBody(open(channel), request)),
    parse: async (channel, request) => adapter.parse(open(channel), request),
    send: async (channel, message) => adapter.send(open(channel), message),
    check: async (channel) => adapter.check(open(channel)),
    webhookResponse: adapter.webhookResponse?.bind(adapter),
    sendCost: sendCost && ((channel, message) => sendCost(open(channel), message)),
    canSend: adapter.canSend?.bind(adapter),
    resolveTemplate: resolveTemplate && ((channel, choice) => resolveTemplate(open(channel), choice)),
    templates: templates && ((channel) => templates(open(channel))),
    handshake: handshake && ((channel, request) => handshake(open(channel), request)),
    activate: activate && (async (channel) => activate(open(channel))),
    deactivate: adapter.deactivate?.bind(adapter),
    pairing: pairing && (async (channel) => pairing(open(channel))),
    fetchContent: fetchContent && (async (channel, id) => fetchContent(open(channel), id)),
    displayName: displayName && (async (channel, address) => displayName(open(channel), address)),
    groupKind: adapter.groupKind?.bind(adapter),
    answersConsentKeyword: adapter.answersConsentKeyword?.bind(adapter),
    notify: notify && (async (channel, to, notice) => notify(open(channel), to, notice)),
    withdraw: withdraw && (async (channel, message) => withdraw(open(channel), message)),
  };
}

/**
 * A stored account read through a provider's schemas. Used by `registerAdapter`, and by code of a channel folder
 * that is handed a stored account outside the adapter (the widget's socket reads its web chat's settings).
 */
export function readAccount<Settings, Secrets>(
  schemas: Pick<ChannelAdapter<Settings, Secrets>, 'provider' | 'settingsSchema' | 'secretsSchema'>,
  stored: ChannelAccount,
): ChannelAccount<Settings, Secrets> {
  const settings = schemas.settingsSchema.safeParse(stored.settings);
  const secrets = schemas.secretsSchema.safeParse(stored.secrets);
  if (!settings.success || !secrets.success) {
    // Only field names: the values may be credentials.
    const fields = [...(settings.error?.issues ?? []), ...(secrets.error?.issues ?? [])].map((issue) => issue.path.join('.') || '(config)');
    throw new DomainError(
      'unprocessable',
      'channel_settings_invalid',
      `The channel's stored configuration no longer fits the ${schemas.provider} adapter (${fields.join(', ')}); save the channel's config again.`,
    );
  }
  return { ...stored, settings: settings.data, secrets: secrets.data };
}
