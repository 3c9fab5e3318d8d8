"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";

import { ApiError, api, messageOf, unwrap } from "@/api/client";
import { loadSession, startSession } from "@/lib/session";

import { CheckIcon, LogoMark } from "./Icons";
import { InlineAlert, Spinner } from "./ui";

const MIN_PASSWORD = 10;

/** Only same-site paths: never send someone to another origin after logging in. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

// What GET /auth/oidc/callback sends back as ?error= when a provider sign-in did not complete.
const PROVIDER_ERRORS: Record<string, string> = {
  oidc_cancelled: "The sign-in was cancelled at the provider. Try again, or use your email and password.",
  oidc_state: "That sign-in link has expired or was already used. Start the sign-in again.",
  oidc_unavailable: "The sign-in provider can’t be reached right now. Try again in a minute, or use your email and password.",
  email_taken: "An account with this email already exists. Log in with your email and password instead.",
};
const PROVIDER_ERROR_FALLBACK = "The sign-in with your provider could not be completed. Start it again, or use your email and password.";

function providerError(code: string | null): string | null {
  if (!code) return null;
  return PROVIDER_ERRORS[code] ?? PROVIDER_ERROR_FALLBACK;
}

function ProviderMark({ name }: { name: string }) {
  // The provider's initial in a small badge: no third-party logo is fetched or embedded.
  return (
    <span className="provider-mark" aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

/** A configured OpenID Connect provider: its name and where sign-in with it starts. */
export type SignInProvider = { name: string; loginUrl: string } | null;

export function AuthForm({ mode, provider }: { mode: "login" | "signup"; provider: SignInProvider }) {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const expired = params.get("expired") === "1";
  const fromProvider = providerError(params.get("error"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { email: useId(), password: useId(), name: useId(), passwordHelp: useId(), error: useId() };
  const signup = mode === "signup";

  useEffect(() => {
    let cancelled = false;
    loadSession().then(
      (session) => {
        if (!cancelled && session.status === "signed-in") router.replace(next); // already logged in
      },
      () => undefined, // the API is unreachable: the form says so when it is sent
    );
    return () => {
      cancelled = true;
    };
  }, [router, next]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (signup && password.length < MIN_PASSWORD) {
      setError(`Use at least ${MIN_PASSWORD} characters for your password.`);
      return;
    }
    setBusy(true);
    try {
      // Cookie mode: the API sets the HttpOnly session cookie and answers with a CSRF token.
      const signedIn = signup
        ? await unwrap(
            api().POST("/auth/signup", { body: { email, password, display_name: displayName, use_cookie: true } }),
          )
        : await unwrap(api().POST("/auth/login", { body: { email, password, use_cookie: true } }));
      if (!("csrf_token" in signedIn)) throw new Error("The server answered without a browser session.");
      startSession(signedIn.csrf_token, signedIn.user);
      router.replace(next);
    } catch (cause) {
      setError(cause instanceof ApiError && cause.status === 0 ? cause.detail : messageOf(cause));
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <section className="auth-pitch" aria-hidden="true">
        <div className="auth-pitch-inner">
          <div className="brand brand-light">
            <LogoMark size={32} />
            <span className="brand-name">Image Renamer</span>
          </div>
          <h2>From IMG_4821.JPG to red-leather-handbag-summer-sale.jpg</h2>
          <ul>
            <li>
              <CheckIcon size={18} /> Drop a whole folder, add a few keywords
            </li>
            <li>
              <CheckIcon size={18} /> Every file virus-scanned, then named as it arrives
            </li>
            <li>
              <CheckIcon size={18} /> Review filenames and alt text, download a ZIP
            </li>
          </ul>
          <div className="pitch-sample">
            <span className="pitch-old">DSC_0042.jpg</span>
            <span className="pitch-arrow">→</span>
            <span className="pitch-new">white-sneakers-summer-sale.jpg</span>
          </div>
        </div>
      </section>
      <section className="auth-panel">
        <form className="auth-card" onSubmit={submit} noValidate aria-describedby={error ? ids.error : undefined}>
          <div className="brand auth-brand">
            <LogoMark size={30} />
            <span className="brand-name">Image Renamer</span>
          </div>
          <h1>{signup ? "Create your account" : "Welcome back"}</h1>
          <p className="muted">
            {signup ? "Start renaming images in minutes." : "Log in to continue renaming your images."}
          </p>
          {expired && !error && !fromProvider && (
            <InlineAlert tone="warning">Your session has ended. Please log in again.</InlineAlert>
          )}
          {fromProvider && !error && <InlineAlert>{fromProvider}</InlineAlert>}
          {provider && (
            <>
              {/* A top-level navigation: the API redirects to the provider and, once it has
                  signed the person in, back to the app with the session cookie set. */}
              <a className="btn btn-secondary btn-block btn-lg btn-provider" href={provider.loginUrl}>
                <ProviderMark name={provider.name} />
                {signup ? `Sign up with ${provider.name}` : `Sign in with ${provider.name}`}
              </a>
              <p className="auth-divider">
                <span>or with your email</span>
              </p>
            </>
          )}
          {error && (
            <div id={ids.error}>
              <InlineAlert>{error}</InlineAlert>
            </div>
          )}
          {signup && (
            <div className="field">
              <label htmlFor={ids.name}>
                Your name <span className="optional">(optional)</span>
              </label>
              <input
                id={ids.name}
                className="input"
                autoComplete="name"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                maxLength={200}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor={ids.email}>Work email</label>
            <input
              id={ids.email}
              className="input"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="you@company.com"
            />
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              className="input"
              type="password"
              autoComplete={signup ? "new-password" : "current-password"}
              required
              minLength={signup ? MIN_PASSWORD : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={signup ? ids.passwordHelp : undefined}
            />
            {signup ? (
              <p className="help" id={ids.passwordHelp}>
                At least {MIN_PASSWORD} characters.
              </p>
            ) : (
              <p className="help">
                <Link href="/forgot-password">Forgot your password?</Link>
              </p>
            )}
          </div>
          <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
            {busy && <Spinner size={16} />}
            {signup ? "Create account" : "Log in"}
          </button>
          <p className="auth-switch">
            {signup ? "Already have an account? " : "New to Image Renamer? "}
            <Link href={`${signup ? "/login" : "/signup"}${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>
              {signup ? "Log in" : "Create an account"}
            </Link>
          </p>
        </form>
      </section>
    </main>
  );
}
