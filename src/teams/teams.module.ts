import { Module } from '@nestjs/common';
import { MASTER_KEY } from '../common/common.module.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { FIRST_TEAM } from '../common/start/first-team.js';
import { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
import { AccountService } from './account.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { BusinessHoursController } from './business-hours.controller.js';
import { FirstTeamBootstrap } from './bootstrap.js';
import { GroupsController, RoutingOrderController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MemberActivity, MemberDevices } from './member-devices.js';
import { PASSWORD_GATE, PASSWORDS, PasswordGate, Passwords } from './passwords.js';
import { TeamEvents } from './team.events.js';
import { TeamsController } from './teams.controller.js';
import { TeamsService } from './teams.service.js';

@Module({
  controllers: [AuthController, TeamsController, MembersController, GroupsController, RoutingOrderController, BusinessHoursController],
  providers: [
    AuthService,
    AccountService,
    TeamsService,
    MembersService,
    GroupsService,
    AuthGuard,
    MemberActivity,
    MemberDevices,
    TeamEvents,
    { provide: FIRST_TEAM, useClass: FirstTeamBootstrap },
    { provide: PASSWORD_GATE, useValue: new PasswordGate() },
    { provide: PASSWORDS, inject: [HUB_CONFIG], useFactory: (config: HubConfig) => new Passwords(config.passwordMemoryMib) },
    { provide: ACCESS_TOKENS, inject: [MASTER_KEY], useFactory: (key: Buffer) => new AccessTokens(key) },
  ],
  exports: [TeamsService, MembersService, GroupsService, AuthGuard, MemberActivity, MemberDevices, TeamEvents, ACCESS_TOKENS],
})
export class TeamsModule {}
