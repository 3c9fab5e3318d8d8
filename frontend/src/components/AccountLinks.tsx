"use client";

// Where the account mails' links land (verify the address, reset the password), and the
// form that asks for a reset link. Outside the app shell: they work signed out.
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";

import { api, messageOf, unwrap } from "@/api/client";
import { loadSession } from "@/lib/session";

import { CheckIcon, LogoMark, MailIcon } from "./Icons";
import { InlineAlert, Spinner } from "./ui";

const MIN_PASSWORD = 10;

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-single">
      <div className="auth-card">
        <Link href="/" className="brand auth-single-brand">
          <LogoMark size={30} />
          <span className="brand-name">Image Renamer</span>
        </Link>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function VerifyEmail() {
  const token = useSearchParams().get("token") ?? "";
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (!token) return;
    let live = true;
    // Opening the link is the confirmation (mail scanners that prefetch links run no scripts).
    unwrap(api().POST("/auth/verify", { body: { token } })).then(
      (user) => {
        if (live) setOutcome({ ok: true, text: `${user.email ?? "Your address"} is confirmed. Thank you!` });
        void loadSession({ force: true }).catch(() => undefined);
      },
      (cause: unknown) => {
        if (live) setOutcome({ ok: false, text: messageOf(cause) });
      },
    );
    return () => {
      live = false;
    };
  }, [token]);

  if (!token) {
    return (
      <Card title="Confirm your email">
        <InlineAlert>This link is incomplete. Open the link from the mail again.</InlineAlert>
      </Card>
    );
  }
  return (
    <Card title="Confirm your email">
      {outcome === null ? (
        <p className="muted">
          <Spinner size={14} /> Confirming…
        </p>
      ) : (
        <InlineAlert tone={outcome.ok ? "success" : "danger"}>{outcome.text}</InlineAlert>
      )}
      <Link href="/" className="btn btn-primary btn-block">
        Go to your batches
      </Link>
    </Card>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const emailId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (!email.includes("@")) {
      setError("Enter the email address you log in with.");
      return;
    }
    setBusy(true);
    try {
      const answer = await unwrap(api().POST("/auth/password-reset", { body: { email } }));
      setSent(answer.detail ?? "If an account uses this address, a reset link is on its way.");
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Reset your password">
      {sent ? (
        <>
          <InlineAlert tone="success">{sent}</InlineAlert>
          <p className="muted">
            <MailIcon size={14} /> The link works for an hour. Check your spam folder if nothing arrives.
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <p className="muted auth-lead">We mail you a link to choose a new password.</p>
          {error && <InlineAlert>{error}</InlineAlert>}
          <div className="field">
            <label htmlFor={emailId}>Work email</label>
            <input
              id={emailId}
              className="input"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
            {busy && <Spinner size={16} />}
            Send reset link
          </button>
        </form>
      )}
      <p className="auth-switch">
        <Link href="/login">Back to log in</Link>
      </p>
    </Card>
  );
}

export function ResetPassword() {
  const token = useSearchParams().get("token") ?? "";
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const ids = { password: useId(), help: useId() };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (password.length < MIN_PASSWORD) {
      setError(`Use at least ${MIN_PASSWORD} characters for your password.`);
      return;
    }
    setBusy(true);
    try {
      await unwrap(api().POST("/auth/password-reset/confirm", { body: { token, password } }));
      setDone(true);
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <Card title="Password changed">
        <InlineAlert tone="success">Your new password is set, and every other session was signed out.</InlineAlert>
        <Link href="/login" className="btn btn-primary btn-block">
          <CheckIcon size={16} /> Log in
        </Link>
      </Card>
    );
  }
  return (
    <Card title="Choose a new password">
      {!token ? (
        <InlineAlert>This link is incomplete. Open the link from the mail again, or ask for a new one.</InlineAlert>
      ) : (
        <form onSubmit={submit} noValidate>
          {error && <InlineAlert>{error}</InlineAlert>}
          <div className="field">
            <label htmlFor={ids.password}>New password</label>
            <input
              id={ids.password}
              className="input"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={ids.help}
            />
            <p className="help" id={ids.help}>
              At least {MIN_PASSWORD} characters.
            </p>
          </div>
          <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
            {busy && <Spinner size={16} />}
            Set new password
          </button>
        </form>
      )}
      <p className="auth-switch">
        <Link href="/forgot-password">Send a new link</Link>
      </p>
    </Card>
  );
}
