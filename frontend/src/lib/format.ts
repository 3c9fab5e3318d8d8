import type { BatchStatus, ImageStatus } from "@/api/client";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(iso)) : "—";
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** A calendar day the API counts in UTC ("2026-12-01"), shown as that same day everywhere. */
export function formatDay(isoDate: string | null | undefined): string {
  return isoDate ? dayFormat.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`)) : "—";
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : "—";
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0;
}

export type Tone = "neutral" | "info" | "progress" | "success" | "warning" | "danger";

export const BATCH_STATUS: Record<BatchStatus, { label: string; tone: Tone }> = {
  PENDING: { label: "Awaiting files", tone: "neutral" },
  UPLOADING: { label: "Uploading", tone: "info" },
  PROCESSING: { label: "Renaming", tone: "progress" },
  COMPLETED: { label: "Completed", tone: "success" },
  PARTIAL: { label: "Completed with errors", tone: "warning" },
  FAILED: { label: "Failed", tone: "danger" },
};

export const IMAGE_STATUS: Record<ImageStatus, { label: string; tone: Tone }> = {
  PENDING: { label: "Queued", tone: "neutral" },
  QUEUED: { label: "Queued", tone: "neutral" },
  PROCESSING: { label: "Naming…", tone: "progress" },
  NAMED: { label: "Named", tone: "success" },
  FAILED: { label: "Failed", tone: "danger" },
};

export function isFinished(status: BatchStatus | undefined): boolean {
  return status === "COMPLETED" || status === "PARTIAL" || status === "FAILED";
}

export function isOpenForUpload(status: BatchStatus | undefined): boolean {
  return status === "PENDING" || status === "UPLOADING";
}

/** "red-shoe.jpg" -> ["red-shoe", ".jpg"] */
export function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
}

/** Provider costs are fractions of a cent per image: "$0.0123"; whole dollars need fewer digits. */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd >= 10 ? 2 : 4)}`;
}
