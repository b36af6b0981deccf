import type { ComponentType } from 'react';
import type { Catalog } from '../i18n';
import { ChannelsSection } from './channels/ChannelsSection';
import { HoursSection } from './hours/HoursSection';
import { MembersSection } from './members/MembersSection';
import { RoutingSection } from './routing/RoutingSection';

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
];
