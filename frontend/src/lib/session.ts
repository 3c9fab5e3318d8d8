// The one place that knows how the browser is signed in. The access token lives in the API's
// HttpOnly session cookie, out of reach of scripts (nothing is kept in localStorage): every
// request goes with credentials, and requests that change state carry this session's CSRF
// token in the X-CSRF-Token header. The token comes with the sign-in answer, and after a
// reload from GET /auth/csrf; it is kept in memory only.
//
// Other tabs hear about sign-ins, sign-outs and organization switches over a
// BroadcastChannel (no secret crosses it) and re-read the session.
import type { components } from "@/api/schema";

import { runtimeConfig } from "./config";

export type SessionUser = components["schemas"]["UserPublic"];

export type SessionStatus = "unknown" | "loading" | "signed-in" | "signed-out";

/** Why the last session ended: shown on the login page. */
export type EndReason = "expired" | "logout" | null;

export type SessionState = {
  status: SessionStatus;
  user: SessionUser | null;
  ended: EndReason;
};

export const CSRF_HEADER = "X-CSRF-Token";

let state: SessionState = { status: "unknown", user: null, ended: null };
let csrf: string | null = null;
let loading: Promise<SessionState> | null = null;
const listeners = new Set<() => void>();
const unauthorizedListeners = new Set<() => void>();

type Broadcast = { kind: "signed-in" | "signed-out" | "switched" };
let channel: BroadcastChannel | null = null;

function broadcastChannel(): BroadcastChannel | null {
  if (channel || typeof window === "undefined" || typeof BroadcastChannel === "undefined") return channel;
  channel = new BroadcastChannel("renamer.session");
  channel.onmessage = (event: MessageEvent<Broadcast>) => {
    if (event.data?.kind === "signed-out") {
      csrf = null;
      setState({ status: "signed-out", user: null, ended: "logout" });
    } else if (event.data?.kind === "switched") {
      // Another tab switched organization: the cookie (and its CSRF token) changed under
      // this page, and what it shows belongs to the previous organization.
      window.location.reload();
    } else {
      void loadSession({ force: true });
    }
  };
  return channel;
}

function announce(kind: Broadcast["kind"]): void {
  broadcastChannel()?.postMessage({ kind } satisfies Broadcast);
}

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** For useSyncExternalStore: the same object while nothing changed. */
export function sessionSnapshot(): SessionState {
  return state;
}

const SERVER_SNAPSHOT: SessionState = { status: "unknown", user: null, ended: null };

export function serverSessionSnapshot(): SessionState {
  return SERVER_SNAPSHOT;
}

export function subscribeSession(listener: () => void): () => void {
  broadcastChannel();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function csrfToken(): string | null {
  return csrf;
}

/** A cookie sign-in (login, signup, organization switch) answered with this CSRF token. */
export function startSession(csrfToken: string, user: SessionUser, { switched = false } = {}): void {
  csrf = csrfToken;
  loading = null;
  setState({ status: "signed-in", user, ended: null });
  announce(switched ? "switched" : "signed-in");
}

export function updateUser(user: SessionUser): void {
  if (state.status === "signed-in") setState({ ...state, user });
}

async function getJson<T>(path: string): Promise<{ status: number; body: T | null }> {
  const response = await fetch(`${runtimeConfig().apiUrl}${path}`, {
    credentials: "include",
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  const body = response.ok ? ((await response.json()) as T) : null;
  return { status: response.status, body };
}

/**
 * Is this browser signed in? Reads the user and the CSRF token of the cookie session (both
 * answer 401 without one). Concurrent callers share one request; `force` asks again.
 */
export function loadSession({ force = false } = {}): Promise<SessionState> {
  if (!force && (state.status === "signed-in" || state.status === "signed-out")) return Promise.resolve(state);
  if (loading) return loading;
  if (state.status === "unknown") setState({ ...state, status: "loading" });
  loading = (async (): Promise<SessionState> => {
    try {
      const [me, token] = await Promise.all([
        getJson<SessionUser>("/me"),
        getJson<components["schemas"]["CsrfTokenResponse"]>("/auth/csrf"),
      ]);
      if (me.body && token.body) {
        csrf = token.body.csrf_token;
        setState({ status: "signed-in", user: me.body, ended: null });
      } else if (me.status === 401 || token.status === 401) {
        csrf = null;
        setState({ status: "signed-out", user: null, ended: state.ended });
      } else {
        throw new Error(`HTTP ${me.status}/${token.status}`);
      }
    } catch {
      // The API is unreachable: stay where we were and let the caller offer a retry.
      setState({ ...state, status: state.status === "loading" ? "unknown" : state.status });
      throw new Error("Can’t reach the Image Renamer API. Check your connection and try again.");
    } finally {
      loading = null; // one request at a time: callers during it shared this one
    }
    return state;
  })();
  return loading;
}

/** A fresh CSRF token from the API (after another tab re-issued the session cookie). */
export async function refreshCsrf(): Promise<string | null> {
  try {
    const token = await getJson<components["schemas"]["CsrfTokenResponse"]>("/auth/csrf");
    csrf = token.body?.csrf_token ?? null;
  } catch {
    csrf = null;
  }
  return csrf;
}

/** Log out: the API revokes this session and clears its cookies; every tab follows. */
export async function logOut(): Promise<void> {
  const headers = new Headers();
  if (csrf) headers.set(CSRF_HEADER, csrf);
  try {
    await fetch(`${runtimeConfig().apiUrl}/auth/logout`, { method: "POST", credentials: "include", headers });
  } catch {
    // Offline: the cookie is still cleared by its expiry; the page forgets the session now.
  }
  csrf = null;
  setState({ status: "signed-out", user: null, ended: "logout" });
  announce("signed-out");
}

// A 401 from the API or the realtime service: the session is over. The app shell sends the
// person to the login page (it remembers where they were).
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function reportUnauthorized(): void {
  const wasSignedIn = state.status === "signed-in";
  csrf = null;
  setState({ status: "signed-out", user: null, ended: wasSignedIn ? "expired" : state.ended });
  for (const listener of unauthorizedListeners) listener();
}
