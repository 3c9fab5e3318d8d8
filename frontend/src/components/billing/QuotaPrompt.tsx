"use client";

import Link from "next/link";

import { quotaSentence } from "@/hooks/useQuota";
import { formatDay, plural } from "@/lib/format";

import { AlertIcon } from "../Icons";

export type HeldDrop = {
  files: File[];
  /** How many of them the quota still takes. */
  fits: number;
  used: number;
  limit: number;
  resetsOn: string;
};

/** A drop with more files than the month's quota has left: upload what fits, upgrade, or drop them. */
export function QuotaPrompt({
  held,
  onUploadFitting,
  onDiscard,
}: {
  held: HeldDrop;
  onUploadFitting: () => void;
  onDiscard: () => void;
}) {
  return (
    <div className="quota-prompt" role="alert" data-testid="quota-prompt">
      <span className="quota-prompt-icon" aria-hidden="true">
        <AlertIcon size={20} />
      </span>
      <div className="quota-prompt-body">
        <p className="quota-prompt-title">
          {plural(held.files.length, "file")} added, but{" "}
          {held.fits > 0 ? `only ${held.fits.toLocaleString()} more ${held.fits === 1 ? "fits" : "fit"}` : "none fit"} in
          this month’s quota
        </p>
        <p data-testid="quota-message">
          {quotaSentence(held.used, held.limit, held.fits)} Upgrade or remove files.
        </p>
        <p className="muted small">The count starts again on {formatDay(held.resetsOn)}.</p>
        <div className="quota-prompt-actions">
          {held.fits > 0 && (
            <button type="button" className="btn btn-primary btn-sm" onClick={onUploadFitting}>
              Upload the {plural(held.fits, "file")} that {held.fits === 1 ? "fits" : "fit"}
            </button>
          )}
          <Link href="/billing" className="btn btn-secondary btn-sm">
            Upgrade
          </Link>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDiscard}>
            Remove these files
          </button>
        </div>
      </div>
    </div>
  );
}
