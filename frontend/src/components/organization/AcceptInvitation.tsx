"use client";

// Where the invitation mail's link lands (signed in first: the app shell sends visitors to
// log in or sign up and brings them back here with the token).
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { api, messageOf, unwrap, type Organization } from "@/api/client";

import { MailIcon } from "../Icons";
import { EmptyState, InlineAlert, Spinner } from "../ui";
import { switchOrganization } from "./OrganizationProvider";

export function AcceptInvitation() {
  const token = useSearchParams().get("token") ?? "";
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [joined, setJoined] = useState<Organization | null>(null);

  async function accept() {
    setBusy(true);
    setError(null);
    try {
      setJoined(await unwrap(api().POST("/invitations/accept", { body: { token } })));
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setBusy(false);
    }
  }

  async function open(organization: Organization) {
    setBusy(true);
    try {
      await switchOrganization(organization.id, "/");
    } catch (cause) {
      setError(messageOf(cause));
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <EmptyState icon={<MailIcon size={22} />} title="This invitation link is incomplete">
        Open the link from the invitation mail again, or ask for a new invitation.
      </EmptyState>
    );
  }

  return (
    <div className="state-card invitation-card">
      <span className="state-icon">
        <MailIcon size={22} />
      </span>
      {joined ? (
        <>
          <h1>You joined {joined.name}</h1>
          <p>Its batches, members and quota are one switch away.</p>
          {error && <InlineAlert>{error}</InlineAlert>}
          <div className="invitation-actions">
            <button type="button" className="btn btn-primary" onClick={() => void open(joined)} disabled={busy}>
              {busy && <Spinner size={14} />}
              Open {joined.name}
            </button>
            <Link href="/" className="btn btn-secondary">
              Stay here
            </Link>
          </div>
        </>
      ) : (
        <>
          <h1>Join the organization</h1>
          <p>You have been invited to work with a team on Image Renamer. Accepting adds you as a member.</p>
          {error && <InlineAlert>{error}</InlineAlert>}
          <div className="invitation-actions">
            <button type="button" className="btn btn-primary" onClick={() => void accept()} disabled={busy}>
              {busy && <Spinner size={14} />}
              Accept invitation
            </button>
          </div>
        </>
      )}
    </div>
  );
}
