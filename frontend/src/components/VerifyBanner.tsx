"use client";

import { useState } from "react";

import { api, messageOf, unwrap } from "@/api/client";
import type { SessionUser } from "@/lib/session";

/** Until the address is confirmed (uploads work meanwhile): resets and receipts need it. */
export function VerifyBanner({ user }: { user: SessionUser }) {
  const [state, setState] = useState<{ busy: boolean; text: string | null }>({ busy: false, text: null });
  if (!user.email || user.email_verified_at) return null;

  async function resend() {
    setState({ busy: true, text: null });
    try {
      const answer = await unwrap(api().POST("/auth/verify/resend"));
      setState({ busy: false, text: answer.detail ?? "A new link is on its way." });
    } catch (cause) {
      setState({ busy: false, text: messageOf(cause) });
    }
  }

  return (
    <div className="banner banner-warning" role="status" data-testid="verify-banner">
      <span>
        Confirm your email address: open the link we sent to <strong>{user.email}</strong>.
        {state.text ? ` ${state.text}` : ""}
      </span>
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => void resend()} disabled={state.busy}>
        Send the link again
      </button>
    </div>
  );
}
