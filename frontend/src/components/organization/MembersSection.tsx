"use client";

import { useCallback, useState } from "react";

import { api, messageOf, unwrap, type Member, type Organization, type OrganizationRole } from "@/api/client";
import { useResource } from "@/hooks/useResource";
import { formatDate } from "@/lib/format";
import { sessionSnapshot } from "@/lib/session";

import { ConfirmDialog } from "../ConfirmDialog";
import { UsersIcon } from "../Icons";
import { Badge, InlineAlert, Spinner } from "../ui";
import { ROLE_LABELS } from "./OrganizationProvider";

const ROLES: OrganizationRole[] = ["owner", "admin", "member"];

export function MembersSection({ organization, canManage }: { organization: Organization; canManage: boolean }) {
  const members = useResource(
    useCallback(
      () => unwrap(api().GET("/organizations/{organization_id}/members", { params: { path: { organization_id: organization.id } } })),
      [organization.id],
    ),
  );
  const [rowError, setRowError] = useState<{ userId: string; detail: string } | null>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const me = sessionSnapshot().user?.id;
  const organizationId = organization.id;

  async function changeRole(member: Member, role: OrganizationRole) {
    setSaving(member.user_id);
    setRowError(null);
    try {
      const updated = await unwrap(
        api().PATCH("/organizations/{organization_id}/members/{user_id}", {
          params: { path: { organization_id: organizationId, user_id: member.user_id } },
          body: { role },
        }),
      );
      members.setData((list) => list?.map((m) => (m.user_id === member.user_id ? updated : m)) ?? null);
    } catch (cause) {
      setRowError({ userId: member.user_id, detail: messageOf(cause) });
    } finally {
      setSaving(null);
    }
  }

  async function remove(member: Member) {
    await unwrap(
      api().DELETE("/organizations/{organization_id}/members/{user_id}", {
        params: { path: { organization_id: organizationId, user_id: member.user_id } },
      }),
    );
    members.setData((list) => list?.filter((m) => m.user_id !== member.user_id) ?? null);
  }

  return (
    <section className="card settings-section" aria-labelledby="members-title" data-testid="members-section">
      <div className="settings-section-head">
        <span className="settings-section-icon" aria-hidden="true">
          <UsersIcon size={20} />
        </span>
        <div>
          <h2 id="members-title">Members</h2>
          <p className="muted">
            Everyone here sees and works on this organization’s batches.
            {canManage ? " Owners and admins manage members, invitations and API keys." : ""}
          </p>
        </div>
      </div>
      {members.error && <InlineAlert>{members.error}</InlineAlert>}
      {!members.data && !members.error && <Spinner label="Loading members" />}
      {members.data && (
        <ul className="member-list" aria-label="Members">
          {members.data.map((member) => {
            const self = member.user_id === me;
            const name = member.display_name || member.email || "Member";
            return (
              <li key={member.user_id} className="member-row" data-testid="member-row">
                <span className="avatar" aria-hidden="true">
                  {name.slice(0, 1).toUpperCase()}
                </span>
                <div className="member-info">
                  <p className="member-name">
                    {name}
                    {self && <span className="muted"> (you)</span>}
                  </p>
                  <p className="muted small">
                    {member.email ? `${member.email} · ` : ""}joined {formatDate(member.joined_at)}
                  </p>
                  {rowError?.userId === member.user_id && <p className="error-text">{rowError.detail}</p>}
                </div>
                {canManage && !self ? (
                  <div className="member-actions">
                    <label className="visually-hidden" htmlFor={`role-${member.user_id}`}>
                      Role of {name}
                    </label>
                    <select
                      id={`role-${member.user_id}`}
                      className="input input-sm"
                      value={member.role}
                      disabled={saving === member.user_id}
                      onChange={(event) => void changeRole(member, event.target.value as OrganizationRole)}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_LABELS[role]}
                        </option>
                      ))}
                    </select>
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRemoving(member)}>
                      Remove
                    </button>
                  </div>
                ) : (
                  <Badge tone={member.role === "owner" ? "info" : "neutral"} dot={false}>
                    {ROLE_LABELS[member.role]}
                  </Badge>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.display_name || removing.email || "this member"}?`}
          confirmLabel="Remove member"
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
        >
          <p>
            They lose access to {organization.name} at once. Their batches stay with the organization. You can invite them
            again later.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
