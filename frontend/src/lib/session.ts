// The one place that knows where the access token lives. It is in localStorage for now;
// moving to an HttpOnly cookie (a later issue) changes this module and the API client's
// auth middleware, nothing else.

export type SessionUser = {
  id: string;
  email: string | null;
  display_name: string;
};

export type Session = {
  token: string;
  user: SessionUser;
  expiresAt: number; // epoch milliseconds
};

const STORAGE_KEY = "renamer.session";
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy mode)
  }
}

export function getSession(): Session | null {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (!session.token || session.expiresAt <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function saveSession(token: string, expiresInSeconds: number, user: SessionUser): void {
  const session: Session = { token, user, expiresAt: Date.now() + expiresInSeconds * 1000 };
  storage()?.setItem(STORAGE_KEY, JSON.stringify(session));
  notify();
}

export function clearSession(): void {
  storage()?.removeItem(STORAGE_KEY);
  notify();
}

/** Called on any change, including logins and logouts in other tabs. */
export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

function notify(): void {
  for (const listener of listeners) listener();
}

// A 401 from the API or the realtime service: forget the token and let the app shell
// send the person to the login page (it remembers where they were).
const unauthorizedListeners = new Set<() => void>();

export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function reportUnauthorized(): void {
  clearSession();
  for (const listener of unauthorizedListeners) listener();
}

/** For useSyncExternalStore: the stored value as a string (stable while unchanged). */
export function sessionSnapshot(): string | null {
  const session = getSession();
  return session ? (storage()?.getItem(STORAGE_KEY) ?? null) : null;
}

export function parseSession(snapshot: string | null): Session | null {
  if (!snapshot) return null;
  try {
    return JSON.parse(snapshot) as Session;
  } catch {
    return null;
  }
}
