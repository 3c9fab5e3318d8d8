"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from "react";

import {
  clearSession,
  getSession,
  onUnauthorized,
  parseSession,
  sessionSnapshot,
  subscribeSession,
} from "@/lib/session";

import { LogOutIcon, LogoMark, PlusIcon } from "./Icons";
import { Spinner } from "./ui";

function loginUrl(pathname: string, expired: boolean): string {
  const params = new URLSearchParams();
  if (pathname && pathname !== "/") params.set("next", pathname);
  if (expired) params.set("expired", "1");
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

/** The signed-in frame: header, navigation, and the guard that sends visitors to log in. */
export function AppShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const snapshot = useSyncExternalStore(subscribeSession, sessionSnapshot, () => null);
  const session = useMemo(() => parseSession(snapshot), [snapshot]);
  const why = useRef<"expired" | "logout" | null>(null);

  useEffect(() => {
    // Read storage directly: during hydration the snapshot is still the server's (null).
    if (getSession()) return;
    router.replace(why.current === "logout" ? "/login" : loginUrl(pathname, why.current === "expired"));
  }, [snapshot, pathname, router]);

  useEffect(
    () =>
      onUnauthorized(() => {
        why.current = "expired";
      }),
    [],
  );

  if (!session) {
    return (
      <div className="page-loading">
        <Spinner label="Loading" size={28} />
      </div>
    );
  }

  const user = session.user;
  const who = user.display_name || user.email || "Account";
  const onBatches = pathname === "/" || (pathname.startsWith("/batches/") && pathname !== "/batches/new");

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <div className="container header-inner">
          <Link href="/" className="brand" aria-label="Image Renamer, your batches">
            <LogoMark />
            <span className="brand-name">Image Renamer</span>
          </Link>
          <nav className="header-nav" aria-label="Main">
            <Link href="/" className="nav-link" aria-current={onBatches ? "page" : undefined}>
              Batches
            </Link>
          </nav>
          <div className="header-actions">
            <Link href="/batches/new" className="btn btn-primary btn-sm" aria-current={pathname === "/batches/new" ? "page" : undefined}>
              <PlusIcon size={16} />
              <span>New batch</span>
            </Link>
            <span className="user-chip" title={user.email ?? undefined}>
              <span className="avatar" aria-hidden="true">
                {who.slice(0, 1).toUpperCase()}
              </span>
              <span className="user-name">{who}</span>
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-icon"
              onClick={() => {
                why.current = "logout";
                clearSession();
              }}
              aria-label="Log out"
              title="Log out"
            >
              <LogOutIcon size={18} />
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="container page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
