import type { ComponentType } from 'react';
import type { Catalog } from '../i18n';
import { ChannelsSection } from './channels/ChannelsSection';
import { HoursSection } from './hours/HoursSection';
import { MembersSection } from './members/MembersSection';
import { RoutingSection } from './routing/RoutingSection';

/** One admin screen: its address under `/app/admin/`, its name in the catalog, and the component that draws it. */
export interface AdminSection {
  path: string;
  label: keyof Pick<Catalog, 'members' | 'channels' | 'businessHours' | 'routing'>;
  component: ComponentType;
}

/** The admin screens in the order of their tabs; a new screen is one line here and a folder beside this file. */
export const ADMIN_SECTIONS: AdminSection[] = [
  { path: 'members', label: 'members', component: MembersSection },
  { path: 'channels', label: 'channels', component: ChannelsSection },
  { path: 'hours', label: 'businessHours', component: HoursSection },
  { path: 'routing', label: 'routing', component: RoutingSection },
];
