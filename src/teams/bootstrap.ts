import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { FirstTeam, StartLogin } from '../common/start/first-team.js';
import { verifyPassword } from './passwords.js';
import { TeamsService, normalizeEmail } from './teams.service.js';

const DEMO_EMAIL = 'admin@demo.tsunagi.test';

/**
 * On a start with an empty database, creates the configured team and administrator, or a demo team whose
 * generated password is kept under the data directory so every start can print it until it is changed.
 */
@Injectable()
export class FirstTeamBootstrap implements FirstTeam {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(DATABASE) private readonly db: Db,
    private readonly teams: TeamsService,
  ) {}

  ensure(): Promise<StartLogin | null> {
    return ensureFirstTeam(this.config, this.db, this.teams);
  }
}

async function ensureFirstTeam(config: HubConfig, db: Db, teams: TeamsService): Promise<StartLogin | null> {
  if (config.admin) {
    const email = normalizeEmail(config.admin.email);
    if ((await db.team.count()) > 0) return { email, password: null, created: false };
    try {
      await teams.createTeam({ name: config.admin.teamName, admin: { email, password: config.admin.password, name: 'Administrator' } });
    } catch (error) {
      // Several processes starting on one empty database race to create it: the email's uniqueness lets one win.
      if (error instanceof DomainError && error.code === 'email_taken') return { email, password: null, created: false };
      throw error;
    }
    return { email, password: null, created: true };
  }
  const demoFile = join(config.dataDir, 'demo-login.json');
  if ((await db.team.count()) === 0) {
    const password = randomBytes(9).toString('base64url');
    await teams.createTeam({ name: 'デモストア (Demo store)', admin: { email: DEMO_EMAIL, password, name: '管理者 Admin' } });
    await writeFile(demoFile, JSON.stringify({ email: DEMO_EMAIL, password }), { mode: 0o600 });
    return { email: DEMO_EMAIL, password, created: true };
  }
  const saved = await readFile(demoFile, 'utf8').then((text) => JSON.parse(text) as { email: string; password: string }).catch(() => null);
  if (!saved) return null;
  const member = await db.member.findUnique({ where: { email: saved.email } });
  if (!member) return null;
  const unchanged = await verifyPassword(member.passwordHash, saved.password);
  return { email: saved.email, password: unchanged ? saved.password : null, created: false };
}
