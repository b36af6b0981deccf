import type { ComponentType } from 'react';
import type { Catalog } from '../i18n';
import { ChannelsSection } from './channels/ChannelsSection';
import { HoursSection } from './hours/HoursSection';
import { MembersSection } from './members/MembersSection';
import { RoutingSection } from './routing/RoutingSection';
import { RepliesSection } from './replies/RepliesSection';
import { CategoriesSection } from './categories/CategoriesSection';
import { StoresSection } from './stores/StoresSection';
import { ReportsSection } from './reports/ReportsSection';
import { ApiKeysSection } from './api-keys/ApiKeysSection';
import { CatalogSection } from './catalog/CatalogSection';
import { AutomationSection } from './automation/AutomationSection';
import { WebhooksSection } from './webhooks/WebhooksSection';

/** One admin screen: its address under `/app/admin/`, its name in the catalog, and the component that draws it. */
export interface AdminSection {
  path: string;
  label: (text: Catalog) => string;
  component: ComponentType;
}

/** The admin screens in the order of their tabs; a new screen is one line here and a folder beside this file. */
export const ADMIN_SECTIONS: AdminSection[] = [
  { path: 'members', label: (text) => text.members, component: MembersSection },
  { path: 'channels', label: (text) => text.channels, component: ChannelsSection },
  { path: 'hours', label: (text) => text.businessHours, component: HoursSection },
  { path: 'routing', label: (text) => text.routing, component: RoutingSection },
  { path: 'replies', label: (text) => text.adminReplies, component: RepliesSection },
  { path: 'categories', label: (text) => text.adminCategories, component: CategoriesSection },
  { path: 'stores', label: (text) => text.adminStores, component: StoresSection },
  { path: 'reports', label: (text) => text.adminReports, component: ReportsSection },
  { path: 'catalog', label: (text) => text.adminCatalog, component: CatalogSection },
  { path: 'automation', label: (text) => text.adminAutomation, component: AutomationSection },
  { path: 'api-keys', label: (text) => text.apiKeys, component: ApiKeysSection },
  { path: 'webhooks', label: (text) => text.adminWebhooks, component: WebhooksSection },
];
