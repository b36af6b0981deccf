import { useState } from 'react';
import { useWords } from '../../i18n';
import { FormRefusal, useServerForm } from '../../shared/forms';
import { ConfirmButton } from './ConfirmButton';
import { CopyButton } from './CopyButton';
import type { MembersActions } from './useMembers';
import { membersWords } from './words';

/** The invite code and the join link built from it, each with a copy button, and making a new code. */
export function InviteCard({ invite, rotateInvite }: Pick<MembersActions, 'invite' | 'rotateInvite'>) {
  const words = useWords(membersWords);
  const form = useServerForm([] as const);
  const [rotated, setRotated] = useState(false);
  if (!invite) return null;
  const link = `${location.origin}/app/join?code=${encodeURIComponent(invite.code)}`;
  const rotate = form.handle(async () => {
    await rotateInvite();
    setRotated(true);
  });

  return (
    <section aria-label={words.invite}>
      <h2>{words.invite}</h2>
      <p className="hint">{words.inviteHint}</p>
      <p className="code" aria-label={words.invite}>
        {invite.code}
      </p>
      {invite.expiresAt && (
        <p className="hint">
          {words.inviteExpires}: {new Date(invite.expiresAt).toLocaleString()}
        </p>
      )}
      <CopyButton value={invite.code} label={words.copyCode} done={words.copied} />
      <h3>{words.joinLink}</h3>
      <code className="embed" aria-label={words.joinLink}>
        {link}
      </code>
      <CopyButton value={link} label={words.copyLink} done={words.copied} />
      <FormRefusal form={form} />
      <div className="actions">
        <ConfirmButton label={words.rotate} question={words.rotateConfirm} yes={words.confirm} no={words.cancel} className="secondary" onConfirm={() => rotate()} />
        {rotated && <span role="status">{words.rotated}</span>}
      </div>
    </section>
  );
}
