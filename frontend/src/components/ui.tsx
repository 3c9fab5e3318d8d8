// Small presentational pieces shared by every screen.
import type { ReactNode } from "react";

import type { Tone } from "@/lib/format";

import { AlertIcon, CheckIcon } from "./Icons";

export function Badge({ tone, children, dot = true }: { tone: Tone; children: ReactNode; dot?: boolean }) {
  return (
    <span className={`badge badge-${tone}`}>
      {dot && <span className="badge-dot" aria-hidden="true" />}
      {children}
    </span>
  );
}

export function ProgressBar({
  value,
  label,
  tone = "progress",
  indeterminate = false,
  size = "md",
  segments,
}: {
  value: number; // 0..100
  label: string;
  tone?: Tone;
  indeterminate?: boolean;
  size?: "sm" | "md" | "lg";
  /** Stacked parts, e.g. named and failed; `value` is then their sum. */
  segments?: { value: number; tone: Tone }[];
}) {
  const rounded = Math.round(value);
  return (
    <div
      className={`progress progress-${size}${indeterminate ? " progress-indeterminate" : ""}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : rounded}
      aria-valuetext={indeterminate ? "in progress" : `${rounded}%`}
    >
      {segments ? (
        segments.map((segment, index) => (
          <span
            key={index}
            className={`progress-fill progress-fill-${segment.tone}`}
            style={{ width: `${Math.max(0, Math.min(100, segment.value))}%` }}
          />
        ))
      ) : (
        <span
          className={`progress-fill progress-fill-${tone}`}
          style={{ width: indeterminate ? undefined : `${Math.max(0, Math.min(100, value))}%` }}
        />
      )}
    </div>
  );
}

export function Spinner({ label, size = 16 }: { label?: string; size?: number }) {
  return (
    <span className="spinner" style={{ width: size, height: size }} role={label ? "status" : undefined}>
      {label && <span className="visually-hidden">{label}</span>}
    </span>
  );
}

export function ErrorState({ title, detail, onRetry }: { title: string; detail: string; onRetry?: () => void }) {
  return (
    <div className="state-card state-error" role="alert">
      <span className="state-icon state-icon-danger">
        <AlertIcon size={22} />
      </span>
      <h2>{title}</h2>
      <p>{detail}</p>
      {onRetry && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state-card">
      <span className="state-icon">{icon}</span>
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function InlineAlert({ tone = "danger", children }: { tone?: Tone; children: ReactNode }) {
  return (
    <div className={`inline-alert inline-alert-${tone}`} role={tone === "danger" ? "alert" : "status"}>
      {tone === "success" ? <CheckIcon size={16} /> : <AlertIcon size={16} />}
      <span>{children}</span>
    </div>
  );
}
