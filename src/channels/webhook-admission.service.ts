import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { WebhookAdmission } from '../common/http/body-limits.js';
import type { ChannelAccount, RegisteredAdapter } from './channel-adapter.js';
import { ChannelRegistry } from './channel-registry.js';
import { ChannelsService } from './channels.service.js';

/** Which channel and adapter a webhook path names, checked before the body is read and again when it is handled. */
@Injectable()
export class WebhookAdmissionService implements WebhookAdmission {
  constructor(
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /**
   * Run before the body is read (body-limits' preParsing): an unknown channel, a route or hook it does not have, or
   * a token in the URL that is not the channel's is refused without buffering what was posted.
   */
  async admitBeforeBody(request: FastifyRequest): Promise<void> {
    const { route = '', channelId = '', hook = '' } = request.params as { route?: string; channelId?: string; hook?: string };
    const { channel, adapter } = await this.target(route, channelId, hook);
    adapter.verifyBeforeBody?.(channel, { hook, url: this.config.publicUrl + request.url, headers: request.headers, query: request.query as Record<string, string | undefined> });
  }

  async target(route: string, channelId: string, hook: string): Promise<{ channel: ChannelAccount; adapter: RegisteredAdapter }> {
    const channel = await this.channels.account(channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    if (!channel || !adapter?.webhook || adapter.webhook.route !== route || !Object.values(adapter.webhook.hooks).includes(hook)) {
      throw new DomainError('not_found', 'unknown_channel', 'No channel of this provider has this id.');
    }
    return { channel, adapter };
  }
}
