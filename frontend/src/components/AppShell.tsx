"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useSyncExternalStore, type ReactNode } from "react";

import { loadSession, logOut, serverSessionSnapshot, sessionSnapshot, subscribeSession } from "@/lib/session";

import { LogOutIcon, LogoMark, PlusIcon } from "./Icons";
import { OrganizationProvider } from "./organization/OrganizationProvider";
import { OrganizationSwitcher } from "./organization/OrganizationSwitcher";
import { ErrorState, Spinner } from "./ui";
import { VerifyBanner } from "./VerifyBanner";

function loginUrl(path: string, expired: boolean): string {
  const params = new URLSearchParams();
  if (path && path !== "/") params.set("next", path);
  if (expired) params.set("expired", "1");
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

const NAV = [
  { href: "/", label: "Batches", match: (p: string) => p === "/" || (p.startsWith("/batches/") && p !== "/batches/new") },
  { href: "/billing", label: "Billing", match: (p: string) => p.startsWith("/billing") },
  { href: "/settings", label: "Settings", match: (p: string) => p.startsWith("/settings") },
];

/** The signed-in frame: header, navigation, and the guard that sends visitors to log in. */
export function AppShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const session = useSyncExternalStore(subscribeSession, sessionSnapshot, serverSessionSnapshot);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    // The cookie is HttpOnly: ask the API whether this browser is signed in.
    loadSession({ force: attempt > 0 }).then(
      () => setLoadError(null),
      (cause: unknown) => setLoadError(cause instanceof Error ? cause.message : String(cause)),
    );
  }, [attempt]);

  useEffect(() => {
    if (session.status !== "signed-out") return;
    // Back to where they were after logging in again (query included, e.g. an invitation token).
    const here = `${pathname}${window.location.search}`;
    router.replace(session.ended === "logout" ? "/login" : loginUrl(here, session.ended === "expired"));
  }, [session.status, session.ended, pathname, router]);

  if (session.status !== "signed-in" || !session.user) {
    if (loadError && session.status !== "signed-out") {
      return (
        <main className="container page">
          <ErrorState title="Can’t load your account" detail={loadError} onRetry={() => setAttempt((n) => n + 1)} />
        </main>
      );
    }
    return (
      <div className="page-loading">
        <Spinner label="Loading" size={28} />
      </div>
    );
  }

  const user = session.user;
  const who = user.display_name || user.email || "Account";

  return (
    <OrganizationProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <div className="container header-inner">
          <Link href="/" className="brand" aria-label="Image Renamer, your batches">
            <LogoMark />
            <span className="brand-name">Image Renamer</span>
          </Link>
          <OrganizationSwitcher />
          <nav className="header-nav" aria-label="Main">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                className="nav-link"
                aria-current={item.match(pathname) ? "page" : undefined}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="header-actions">
            <Link href="/batches/new" className="btn btn-primary btn-sm" aria-current={pathname === "/batches/new" ? "page" : undefined}>
              <PlusIcon size={16} />
              <span>New batch</span>
            </Link>
            <span className="user-chip" title={user.email ?? undefined} data-testid="user-chip">
              <span className="avatar" aria-hidden="true">
                {who.slice(0, 1).toUpperCase()}
              </span>
              <span className="user-name">{who}</span>
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-icon"
              onClick={() => void logOut()}
              aria-label="Log out"
              title="Log out"
            >
              <LogOutIcon size={18} />
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="container page" tabIndex={-1}>
        <VerifyBanner user={user} />
        {children}
      </main>
    </OrganizationProvider>
  );
}
