/** The sign-in the start-up lines print: the first team's administrator. */
export interface StartLogin {
  email: string;
  /** Shown only while it is still the account's password (a demo login nobody has changed yet). */
  password: string | null;
  created: boolean;
}

/**
 * Makes sure a team exists to sign in to on a start with an empty database, and answers the login to print (null
 * when there is none to show). Provided by the module that owns teams; the composition root knows only this.
 */
export interface FirstTeam {
  ensure(): Promise<StartLogin | null>;
}

export const FIRST_TEAM = Symbol('FirstTeam');
