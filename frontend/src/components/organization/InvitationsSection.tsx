"use client";

import { useCallback, useId, useState, type FormEvent } from "react";

import { api, fieldErrors, messageOf, unwrap, type Invitation, type Organization, type OrganizationRole } from "@/api/client";
import { useResource } from "@/hooks/useResource";
import { formatDate } from "@/lib/format";

import { ConfirmDialog } from "../ConfirmDialog";
import { MailIcon } from "../Icons";
import { Badge, InlineAlert, Spinner } from "../ui";
import { ROLE_LABELS } from "./OrganizationProvider";

export function InvitationsSection({ organization }: { organization: Organization }) {
  const invitations = useResource(
    useCallback(
      () =>
        unwrap(
          api().GET("/organizations/{organization_id}/invitations", { params: { path: { organization_id: organization.id } } }),
        ),
      [organization.id],
    ),
  );
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<OrganizationRole>("member");
  const [sending, setSending] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const ids = { email: useId(), role: useId() };
  const organizationId = organization.id;
  // Only owners make owners; an admin invites admins and members.
  const roles: OrganizationRole[] = organization.role === "owner" ? ["member", "admin", "owner"] : ["member", "admin"];

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    setSent(null);
    const address = email.trim();
    if (!address || !address.includes("@")) {
      setFormError("Enter the email address to send the invitation to.");
      return;
    }
    setSending(true);
    try {
      const created = await unwrap(
        api().POST("/organizations/{organization_id}/invitations", {
          params: { path: { organization_id: organizationId } },
          body: { email: address, role },
        }),
      );
      invitations.setData((list) => [created, ...(list ?? []).filter((i) => i.id !== created.id)]);
      setSent(`Invitation sent to ${address}. It stays valid until ${formatDate(created.expires_at)}.`);
      setEmail("");
    } catch (cause) {
      setFormError(fieldErrors(cause).email ?? messageOf(cause));
    } finally {
      setSending(false);
    }
  }

  async function revoke(invitation: Invitation) {
    await unwrap(
      api().DELETE("/organizations/{organization_id}/invitations/{invitation_id}", {
        params: { path: { organization_id: organizationId, invitation_id: invitation.id } },
      }),
    );
    invitations.setData((list) => list?.filter((i) => i.id !== invitation.id) ?? null);
  }

  return (
    <section className="card settings-section" aria-labelledby="invitations-title" data-testid="invitations-section">
      <div className="settings-section-head">
        <span className="settings-section-icon" aria-hidden="true">
          <MailIcon size={20} />
        </span>
        <div>
          <h2 id="invitations-title">Invitations</h2>
          <p className="muted">Invite teammates by email. The link in the mail adds them to {organization.name}.</p>
        </div>
      </div>
      <form className="invite-form" onSubmit={invite} noValidate>
        <div className="field invite-email">
          <label htmlFor={ids.email}>Email address</label>
          <input
            id={ids.email}
            className="input"
            type="email"
            autoComplete="off"
            placeholder="teammate@company.com"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field invite-role">
          <label htmlFor={ids.role}>Role</label>
          <select id={ids.role} className="input" value={role} onChange={(event) => setRole(event.target.value as OrganizationRole)}>
            {roles.map((option) => (
              <option key={option} value={option}>
                {ROLE_LABELS[option]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary invite-submit" disabled={sending}>
          {sending && <Spinner size={14} />}
          Send invitation
        </button>
      </form>
      {formError && <InlineAlert>{formError}</InlineAlert>}
      {sent && <InlineAlert tone="success">{sent}</InlineAlert>}

      <h3 className="settings-subtitle">Pending</h3>
      {invitations.error && <InlineAlert>{invitations.error}</InlineAlert>}
      {!invitations.data && !invitations.error && <Spinner label="Loading invitations" />}
      {invitations.data && invitations.data.length === 0 && <p className="muted">No pending invitations.</p>}
      {invitations.data && invitations.data.length > 0 && (
        <ul className="invitation-list" aria-label="Pending invitations">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="invitation-row" data-testid="invitation-row">
              <div className="member-info">
                <p className="member-name">{invitation.email_hint ?? "Invited address"}</p>
                <p className="muted small">
                  {ROLE_LABELS[invitation.role]} · sent {formatDate(invitation.created_at)} ·{" "}
                  {invitation.expired ? "expired" : `valid until ${formatDate(invitation.expires_at)}`}
                </p>
              </div>
              {invitation.expired ? (
                <Badge tone="warning">Expired</Badge>
              ) : (
                <Badge tone="info">Pending</Badge>
              )}
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRevoking(invitation)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke this invitation?"
          confirmLabel="Revoke invitation"
          onConfirm={() => revoke(revoking)}
          onClose={() => setRevoking(null)}
        >
          <p>The link sent to {revoking.email_hint ?? "this address"} stops working. You can invite them again later.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
