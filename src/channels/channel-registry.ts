import type { ChannelAdapter, ChannelProvider, ChannelType } from './channel-adapter.js';
import { DomainError } from '../common/errors/domain-error.js';

/** All channel adapters under one lookup, instead of a `switch (provider)` in every service. */
export class ChannelRegistry {
  constructor(private readonly adapters: Record<ChannelProvider, ChannelAdapter>) {}

  get(provider: ChannelProvider): ChannelAdapter {
    return this.adapters[provider];
  }

  /** The adapter for a type and provider a client asked for, or a refusal that names what exists. */
  forRequest(type: string, provider: string): ChannelAdapter {
    const adapter = (this.adapters as Record<string, ChannelAdapter | undefined>)[provider];
    if (!adapter || !adapter.types.includes(type as ChannelType)) {
      const available = Object.values(this.adapters)
        .flatMap((a) => a.types.map((t) => `${t}/${a.provider}`))
        .join(', ');
      throw new DomainError('invalid', 'unsupported_channel', `This hub cannot run a ${type} channel through ${provider}; available: ${available}.`, [
        { field: 'provider', message: `must be one of: ${available}` },
      ]);
    }
    return adapter;
  }

  all(): ChannelAdapter[] {
    return Object.values(this.adapters);
  }
}
