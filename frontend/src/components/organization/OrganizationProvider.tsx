"use client";

// The organization the signed-in person works in (the session's tenant) and the others they
// belong to. Switching re-issues the session cookie for the other organization, then reloads
// the app from the dashboard: everything on screen belonged to the previous one.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

import { ApiError, api, messageOf, unwrap, type Organization, type OrganizationRole } from "@/api/client";
import { startSession } from "@/lib/session";

export type OrganizationContextValue = {
  current: Organization | null;
  organizations: Organization[];
  error: string | null;
  /** Owners and admins: members, invitations and API keys. */
  canManage: boolean;
  reload: () => void;
  switchTo: (organizationId: string, path?: string) => Promise<void>;
  create: (name: string) => Promise<void>;
};

const OrganizationContext = createContext<OrganizationContextValue | null>(null);

export const ROLE_LABELS: Record<OrganizationRole, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
};

export function canManageRole(role: OrganizationRole | undefined): boolean {
  return role === "owner" || role === "admin";
}

export function useOrganization(): OrganizationContextValue {
  const value = useContext(OrganizationContext);
  if (!value) throw new Error("useOrganization() outside <OrganizationProvider>");
  return value;
}

/** Re-issues the session for another organization (cookie mode) and starts over at `path`. */
export async function switchOrganization(organizationId: string, path = "/"): Promise<void> {
  const session = await unwrap(
    api().POST("/auth/switch-organization", { body: { organization_id: organizationId, use_cookie: true } }),
  );
  if (!("csrf_token" in session)) throw new Error("The server answered without a browser session.");
  startSession(session.csrf_token, session.user, { switched: true });
  window.location.assign(path);
}

async function loadOrganizations(): Promise<{ organizations: Organization[]; current: Organization }> {
  const organizations = await unwrap(api().GET("/organizations"));
  try {
    return { organizations, current: await unwrap(api().GET("/organizations/current")) };
  } catch (cause) {
    // Removed from the organization this session works in: carry on in another one
    // (the personal one first) rather than failing every page.
    const fallback = organizations.find((o) => o.personal) ?? organizations[0];
    if (cause instanceof ApiError && cause.code === "not_a_member" && fallback) {
      await switchOrganization(fallback.id, "/");
    }
    throw cause;
  }
}

export function OrganizationProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ current: Organization | null; organizations: Organization[]; error: string | null }>(
    { current: null, organizations: [], error: null },
  );
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    loadOrganizations().then(
      ({ organizations, current }) => {
        if (live) setState({ current, organizations, error: null });
      },
      (cause: unknown) => {
        if (live) setState((previous) => ({ ...previous, error: messageOf(cause) }));
      },
    );
    return () => {
      live = false;
    };
  }, [version]);

  const reload = useCallback(() => setVersion((n) => n + 1), []);
  const { current, organizations, error } = state;

  const switchTo = useCallback((organizationId: string, path = "/") => switchOrganization(organizationId, path), []);

  const create = useCallback(async (name: string) => {
    const created = await unwrap(api().POST("/organizations", { body: { name } }));
    await switchOrganization(created.id, "/settings");
  }, []);

  return (
    <OrganizationContext.Provider
      value={{ current, organizations, error, canManage: canManageRole(current?.role), reload, switchTo, create }}
    >
      {children}
    </OrganizationContext.Provider>
  );
}
