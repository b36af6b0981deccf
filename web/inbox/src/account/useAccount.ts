import { answer, hub, session } from '../api';
import { useSession } from '../shared/session';

/** The signed-in member's own account: each change goes to the hub and the device keeps what it answered. */
export function useAccount() {
  const { member, updateMember, replaceToken, signOut } = useSession();
  return {
    member,
    rename: async (name: string) => {
      const updated = await answer(hub.PATCH('/api/members/me', { body: { name } }));
      updateMember({ ...member, name: updated.name });
    },
    requestEmailChange: (email: string) => answer(hub.POST('/api/members/me/email', { body: { email } })),
    confirmEmailChange: async (code: string) => {
      const updated = await answer(hub.POST('/api/members/me/email/confirm', { body: { code } }));
      updateMember({ ...member, email: updated.email });
    },
    changePassword: async (currentPassword: string, newPassword: string) => {
      const change = answer(hub.PUT('/api/members/me/password', { body: { currentPassword, newPassword } }));
      session.passwordChange = change;
      try {
        replaceToken((await change).accessToken);
      } finally {
        if (session.passwordChange === change) session.passwordChange = null;
      }
    },
    signOutEverywhere: async () => {
      await answer(hub.POST('/api/members/me/sign-out-everywhere'));
      signOut();
    },
  };
}
