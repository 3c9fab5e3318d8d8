import Link from "next/link";

import type { Usage } from "@/api/client";
import { formatDay, percent, plural } from "@/lib/format";

import { ProgressBar } from "../ui";

/** This month's images against the plan's quota, and when the count starts over. */
export function UsageMeter({ usage, compact = false }: { usage: Usage; compact?: boolean }) {
  const used = percent(usage.used, usage.limit);
  const tone = usage.remaining === 0 ? "danger" : used >= 80 ? "warning" : "progress";
  return (
    <section className={`card usage-meter-card${compact ? " usage-meter-compact" : ""}`} aria-label="Images this month" data-testid="usage-meter">
      <p className="eyebrow">Images this month</p>
      <p className="usage-meter-figure">
        <strong data-testid="usage-used">{usage.used.toLocaleString()}</strong>
        <span className="muted"> of {usage.limit.toLocaleString()}</span>
      </p>
      <ProgressBar value={used} label="Monthly image quota used" tone={tone} />
      <p className="muted small" data-testid="usage-remaining">
        {usage.remaining > 0 ? `${plural(usage.remaining, "image")} left` : "No images left this month"} · resets on{" "}
        {formatDay(usage.resets_on)}
      </p>
      {compact && usage.remaining === 0 && (
        <Link href="/billing" className="btn btn-primary btn-sm">
          Upgrade
        </Link>
      )}
    </section>
  );
}
