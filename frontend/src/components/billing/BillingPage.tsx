"use client";

// The organization's plan, this month's usage and the plans on offer. Upgrading goes through
// Stripe Checkout and managing (card, invoices, cancelling) through Stripe's billing portal:
// the API creates the session and answers with its URL, the browser goes there. The plan
// changes when Stripe's webhook reaches the API, so after Checkout this page polls a while.
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

import { api, messageOf, unwrap, type Billing, type Plan } from "@/api/client";
import { formatDate, plural } from "@/lib/format";
import type { Tone } from "@/lib/format";

import { CardIcon, CheckIcon } from "../Icons";
import { useOrganization } from "../organization/OrganizationProvider";
import { Badge, ErrorState, InlineAlert, Spinner } from "../ui";
import { UsageMeter } from "./UsageMeter";

const STATUS: Record<string, { label: string; tone: Tone }> = {
  free: { label: "Free", tone: "neutral" },
  active: { label: "Active", tone: "success" },
  trialing: { label: "Trial", tone: "info" },
  past_due: { label: "Payment overdue", tone: "warning" },
  unpaid: { label: "Unpaid", tone: "danger" },
  canceled: { label: "Cancelled", tone: "neutral" },
  incomplete: { label: "Payment incomplete", tone: "warning" },
  incomplete_expired: { label: "Payment expired", tone: "danger" },
};

const POLL_MS = 2000;
const POLL_FOR_MS = 60_000;

export function formatPrice(plan: Plan): string {
  if (plan.price_cents === 0) return "Free";
  const amount = new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: plan.currency.toUpperCase(),
    minimumFractionDigits: plan.price_cents % 100 === 0 ? 0 : 2,
  }).format(plan.price_cents / 100);
  return `${amount} / month`;
}

async function redirectTo(request: Promise<{ url: string }>): Promise<void> {
  const { url } = await request;
  window.location.assign(url);
}

export function BillingPage() {
  const params = useSearchParams();
  const checkout = params.get("checkout");
  const { current } = useOrganization();
  const [state, setState] = useState<{ billing: Billing | null; error: string | null }>({ billing: null, error: null });
  const [version, setVersion] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null); // plan code, or "portal"
  const [waiting, setWaiting] = useState(checkout === "success");
  const { billing, error } = state;

  useEffect(() => {
    let live = true;
    unwrap(api().GET("/billing")).then(
      (next) => {
        if (live) setState({ billing: next, error: null });
      },
      (cause: unknown) => {
        if (live) setState((previous) => ({ ...previous, error: messageOf(cause) }));
      },
    );
    return () => {
      live = false;
    };
  }, [version]);

  // Back from Checkout: the upgrade lands when Stripe's webhook does, usually within seconds.
  useEffect(() => {
    if (checkout !== "success") return;
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const poll = async () => {
      const next = await unwrap(api().GET("/billing")).catch(() => null);
      if (stopped) return;
      if (next) setState({ billing: next, error: null });
      if ((next && next.plan.price_cents > 0 && next.status === "active") || Date.now() - started > POLL_FOR_MS) {
        setWaiting(false);
        return;
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [checkout]);

  async function upgrade(plan: Plan) {
    setBusy(plan.code);
    setActionError(null);
    try {
      await redirectTo(unwrap(api().POST("/billing/checkout", { body: { plan: plan.code } })));
    } catch (cause) {
      setActionError(messageOf(cause));
      setBusy(null);
    }
  }

  async function manage() {
    setBusy("portal");
    setActionError(null);
    try {
      await redirectTo(unwrap(api().POST("/billing/portal")));
    } catch (cause) {
      setActionError(messageOf(cause));
      setBusy(null);
    }
  }

  if (!billing) {
    return error ? (
      <ErrorState title="Can’t load billing" detail={error} onRetry={() => setVersion((n) => n + 1)} />
    ) : (
      <div className="page-loading">
        <Spinner label="Loading billing" size={28} />
      </div>
    );
  }

  const status = STATUS[billing.status] ?? { label: billing.status, tone: "neutral" as Tone };
  const currentPlan = billing.plan;
  const plans = billing.plans;
  const currentIndex = plans.findIndex((plan) => plan.code === currentPlan.code);
  // A paid subscription changes plan in Stripe's portal (Checkout would start a second one).
  const paying = currentPlan.price_cents > 0 && !["free", "canceled", "incomplete_expired"].includes(billing.status);

  return (
    <div className="billing-page" data-testid="billing-page" data-plan={currentPlan.code}>
      <header className="page-header">
        <div>
          <p className="eyebrow">Billing{current ? ` · ${current.name}` : ""}</p>
          <h1>Plan and usage</h1>
          <p className="muted">The monthly image quota belongs to the organization and is shared by its members.</p>
        </div>
      </header>

      {checkout === "success" && (
        <InlineAlert tone={waiting ? "info" : "success"}>
          {waiting
            ? "Thank you! Your payment went through; the new plan appears here as soon as Stripe confirms it."
            : "Thank you! Your plan is updated."}
        </InlineAlert>
      )}
      {checkout === "cancelled" && <InlineAlert tone="info">Checkout was cancelled; nothing was charged.</InlineAlert>}
      {!billing.billing_enabled && (
        <InlineAlert tone="info">Payments are not set up on this server, so plans cannot be changed here.</InlineAlert>
      )}
      {actionError && <InlineAlert>{actionError}</InlineAlert>}

      <div className="billing-summary">
        <section className="card billing-plan" aria-labelledby="plan-title" data-testid="current-plan">
          <p className="eyebrow">Current plan</p>
          <h2 id="plan-title">
            <span data-testid="current-plan-name">{currentPlan.name}</span>{" "}
            <Badge tone={status.tone}>{status.label}</Badge>
          </h2>
          <p className="billing-price">{formatPrice(currentPlan)}</p>
          <p className="muted">{plural(currentPlan.monthly_images, "image")} a month</p>
          {billing.current_period_end && (
            <p className="muted small">
              {billing.cancel_at_period_end
                ? `Cancelled: drops to the free plan on ${formatDate(billing.current_period_end)}.`
                : `Renews on ${formatDate(billing.current_period_end)}.`}
            </p>
          )}
          {billing.status === "past_due" && (
            <InlineAlert tone="warning">The last payment failed. Update your card in the billing portal.</InlineAlert>
          )}
          {billing.can_manage && billing.has_billing_account && (
            <button type="button" className="btn btn-secondary" onClick={() => void manage()} disabled={busy !== null}>
              {busy === "portal" ? <Spinner size={14} /> : <CardIcon size={16} />}
              Manage billing
            </button>
          )}
        </section>
        <UsageMeter usage={billing.usage} />
      </div>

      <section aria-labelledby="plans-title">
        <h2 id="plans-title" className="section-title">
          Plans
        </h2>
        {!billing.can_manage && (
          <p className="muted billing-note">Only the organization’s owner can change the plan.</p>
        )}
        <ul className="plan-grid" aria-label="Plans">
          {plans.map((plan, index) => {
            const isCurrent = plan.code === currentPlan.code;
            const higher = index > currentIndex;
            return (
              <li key={plan.code} className={`card plan-card${isCurrent ? " plan-card-current" : ""}`} data-testid="plan-card" data-plan={plan.code}>
                <h3>{plan.name}</h3>
                <p className="billing-price">{formatPrice(plan)}</p>
                <p className="plan-quota">
                  <CheckIcon size={16} /> {plural(plan.monthly_images, "image")} a month
                </p>
                {isCurrent ? (
                  <Badge tone="success">Current plan</Badge>
                ) : higher && plan.purchasable && billing.can_manage && !paying ? (
                  <button
                    type="button"
                    className="btn btn-primary"
                    onClick={() => void upgrade(plan)}
                    disabled={busy !== null}
                    aria-label={`Upgrade to ${plan.name}`}
                  >
                    {busy === plan.code && <Spinner size={14} />}
                    Upgrade
                  </button>
                ) : billing.can_manage && billing.has_billing_account && (paying || !higher) ? (
                  <p className="muted small">{higher ? "Switch to it" : "Change or cancel"} in “Manage billing”.</p>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
