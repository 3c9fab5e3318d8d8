"use client";

import { ROLE_LABELS, useOrganization } from "./OrganizationProvider";
import { ApiKeysSection } from "./ApiKeysSection";
import { InvitationsSection } from "./InvitationsSection";
import { MembersSection } from "./MembersSection";
import { Badge, ErrorState, InlineAlert, Spinner } from "../ui";

export function OrganizationSettings() {
  const { current, error, canManage, reload } = useOrganization();

  if (!current) {
    return error ? (
      <ErrorState title="Can’t load your organization" detail={error} onRetry={reload} />
    ) : (
      <div className="page-loading">
        <Spinner label="Loading" size={28} />
      </div>
    );
  }

  return (
    <div className="settings-page">
      <header className="page-header">
        <div>
          <p className="eyebrow">Organization settings</p>
          <h1 data-testid="organization-name">{current.name}</h1>
          <p className="muted">
            Your role: <strong data-testid="organization-role">{ROLE_LABELS[current.role]}</strong>{" "}
            {current.personal && <Badge tone="neutral" dot={false}>Personal organization</Badge>}
          </p>
        </div>
      </header>
      <MembersSection organization={current} canManage={canManage} />
      {canManage ? (
        <>
          <InvitationsSection organization={current} />
          <ApiKeysSection organization={current} />
        </>
      ) : (
        <InlineAlert tone="info">Only owners and admins invite members and manage API keys here.</InlineAlert>
      )}
    </div>
  );
}
