"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { useDropzone } from "react-dropzone";

import type { Batch, Image } from "@/api/client";
import {
  CONCURRENCY,
  isCancellable,
  isRetryable,
  summarize,
  type UploadItem,
  type useUploadQueue,
} from "@/hooks/useUploadQueue";
import { quotaSentence, useQuota } from "@/hooks/useQuota";
import { formatBytes, percent, plural, type Tone } from "@/lib/format";

import { ArrowRightIcon, CloseIcon, FolderIcon, ImageIcon, RetryIcon, ShieldIcon, StopIcon, UploadIcon } from "./Icons";
import { QuotaPrompt, type HeldDrop } from "./billing/QuotaPrompt";
import { Badge, InlineAlert, ProgressBar, Spinner } from "./ui";

type Uploads = ReturnType<typeof useUploadQueue>;

type RowView = { label: string; tone: Tone; detail?: string; state: string };

function rowView(item: UploadItem, images: Map<string, Image>): RowView {
  switch (item.state) {
    case "waiting":
      return { state: "waiting", label: "Waiting", tone: "neutral" };
    case "uploading":
      return { state: "uploading", label: `Uploading ${Math.round(item.progress * 100)}%`, tone: "info" };
    case "scanning":
      return {
        state: "scanning",
        label: "Scanning…",
        tone: "progress",
        detail: "Uploaded; checking the file and scanning it for viruses.",
      };
    case "rejected":
      if (item.code === "quota_exceeded") return { state: "rejected", label: "Over quota", tone: "warning", detail: item.detail };
      return { state: "rejected", label: "Rejected", tone: "danger", detail: item.detail };
    case "failed":
      return { state: "failed", label: "Upload failed", tone: "danger", detail: item.detail };
    case "cancelled":
      return { state: "cancelled", label: "Cancelled", tone: "neutral" };
    case "accepted": {
      const image = item.imageId ? images.get(item.imageId) : undefined;
      if (image?.status === "NAMED") return { state: "named", label: "Named", tone: "success", detail: image.final_name ?? undefined };
      if (image?.status === "FAILED")
        return { state: "processing-failed", label: "Failed", tone: "danger", detail: image.failure_reason ?? undefined };
      if (image?.status === "PROCESSING") return { state: "naming", label: "Naming…", tone: "progress" };
      return { state: "queued", label: "Queued", tone: "neutral", detail: "Safe and accepted; waiting to be named." };
    }
  }
}

function Thumb({ src, name }: { src: string; name: string }) {
  const [broken, setBroken] = useState(false);
  const extension = name.includes(".") ? name.split(".").pop()?.slice(0, 4).toUpperCase() : "";
  if (broken) {
    return (
      <span className="upload-thumb upload-thumb-fallback" aria-hidden="true">
        {extension || <ImageIcon size={18} />}
      </span>
    );
  }
  return <img className="upload-thumb" src={src} alt="" loading="lazy" decoding="async" onError={() => setBroken(true)} />;
}

export function UploadPanel({
  batch,
  uploads,
  images,
  onStart,
  starting,
  startError,
}: {
  batch: Batch;
  uploads: Uploads;
  images: Map<string, Image>;
  onStart: () => void;
  starting: boolean;
  startError: string | null;
}) {
  const { items, addFiles, freshFiles } = uploads;
  const [notice, setNotice] = useState<string | null>(null);
  const [held, setHeld] = useState<HeldDrop | null>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const quota = useQuota();
  const { refresh: refreshQuota } = quota;

  const add = useCallback(
    (files: readonly File[], dropped: number) => {
      const added = addFiles(files);
      const skipped = dropped - added;
      setNotice(
        added === 0 && dropped > 0
          ? "Those files are already in the list."
          : skipped > 0
            ? `${plural(added, "file")} added; ${plural(skipped, "hidden or repeated file")} skipped.`
            : null,
      );
    },
    [addFiles],
  );

  const onFiles = useCallback(
    async (files: readonly File[]) => {
      const fresh = freshFiles(files);
      if (fresh.length === 0) {
        add(files, files.length);
        return;
      }
      // Before anything is sent: does the month's quota still take them? Files in the list
      // that the server has not accepted yet are not counted by it, so count them here.
      const usage = await refreshQuota();
      if (usage) {
        const pending = items.filter((i) => i.state === "waiting" || i.state === "uploading" || i.state === "scanning").length;
        const fits = Math.max(0, usage.remaining - pending);
        if (fresh.length > fits) {
          setNotice(null);
          setHeld({ files: fresh, fits, used: Math.min(usage.limit, usage.used + pending), limit: usage.limit, resetsOn: usage.resets_on });
          return;
        }
      }
      setHeld(null);
      add(fresh, files.length);
    },
    [add, freshFiles, items, refreshQuota],
  );

  const { getRootProps, getInputProps, isDragActive, open } = useDropzone({
    onDrop: (accepted) => void onFiles(accepted),
    noClick: true,
    noKeyboard: true,
    multiple: true,
  });

  // `webkitdirectory` lets the picker choose a whole folder; React has no prop for it.
  useEffect(() => {
    folderInput.current?.setAttribute("webkitdirectory", "");
  }, []);

  const summary = summarize(items);
  const overQuota = items.filter((item) => item.state === "rejected" && item.code === "quota_exceeded").length;

  // Once a round of uploads settles, the server's count changed: read the quota again.
  const busy = summary.busy;
  useEffect(() => {
    if (!busy && items.length > 0) void refreshQuota();
  }, [busy, items.length, refreshQuota]);
  const overall = percent(summary.bytesSent, summary.bytesTotal);
  const retryable = items.filter(isRetryable).length;
  const cancellable = items.filter(isCancellable).length;
  const totalOnServer = batch.total_images;
  const canStart = !summary.busy && totalOnServer > 0 && !starting;

  let progressText: string;
  if (summary.busy) {
    progressText = `Uploading ${plural(summary.total - summary.cancelled, "file")} · ${formatBytes(summary.bytesSent)} of ${formatBytes(summary.bytesTotal)}`;
  } else if (summary.total > 0) {
    progressText = `${summary.accepted.toLocaleString()} accepted`;
    if (summary.rejected) progressText += ` · ${summary.rejected.toLocaleString()} rejected`;
    if (summary.failed) progressText += ` · ${summary.failed.toLocaleString()} failed`;
  } else {
    progressText = "No files yet";
  }

  return (
    <section className="upload-panel" aria-labelledby="upload-title">
      <h2 id="upload-title" className="visually-hidden">
        Upload images
      </h2>
      <div
        {...getRootProps({
          className: `dropzone${isDragActive ? " dropzone-active" : ""}${items.length ? " dropzone-compact" : ""}`,
        })}
        data-testid="dropzone"
      >
        <input {...getInputProps({ "aria-label": "Choose image files" } as React.InputHTMLAttributes<HTMLInputElement>)} data-testid="file-input" />
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          aria-label="Choose a folder of images"
          data-testid="folder-input"
          onChange={(event) => {
            void onFiles(Array.from(event.target.files ?? []));
            event.target.value = "";
          }}
        />
        <span className="dropzone-icon" aria-hidden="true">
          <UploadIcon size={26} />
        </span>
        <p className="dropzone-title">{isDragActive ? "Drop to add them to the batch" : "Drag images or whole folders here"}</p>
        <p className="dropzone-sub">JPEG, PNG, WebP, GIF, TIFF, HEIC and AVIF · up to 50 MB each</p>
        <div className="dropzone-actions">
          <button type="button" className="btn btn-primary" onClick={open}>
            <ImageIcon size={18} /> Choose files
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => folderInput.current?.click()}>
            <FolderIcon size={18} /> Choose a folder
          </button>
        </div>
        <p className="dropzone-note">
          <ShieldIcon size={14} /> Every file is virus-scanned before it is named.
        </p>
      </div>

      {held && (
        <QuotaPrompt
          held={held}
          onUploadFitting={() => {
            const fitting = held.files.slice(0, held.fits);
            const left = held.files.length - fitting.length;
            setHeld(null);
            addFiles(fitting);
            setNotice(`${plural(fitting.length, "file")} added; ${plural(left, "file")} left out (over this month’s quota).`);
          }}
          onDiscard={() => {
            setHeld(null);
            setNotice(`${plural(held.files.length, "file")} not added.`);
          }}
        />
      )}

      {notice && (
        <p className="help upload-notice" role="status">
          {notice}
        </p>
      )}

      {overQuota > 0 && quota.usage && (
        <InlineAlert tone="warning">
          {plural(overQuota, "file")} did not fit in this month’s quota.{" "}
          {quotaSentence(quota.usage.used, quota.usage.limit, quota.usage.remaining)}{" "}
          <Link href="/billing">Upgrade</Link> for more.
        </InlineAlert>
      )}

      {totalOnServer > 0 && items.length === 0 && (
        <InlineAlert tone="info">
          {plural(totalOnServer, "image")} already uploaded to this batch. Add more, or start renaming.
        </InlineAlert>
      )}

      {items.length > 0 && (
        <div className="card upload-list-card">
          <div className="upload-list-head">
            <div>
              <h3>Files</h3>
              <p className="muted" aria-live="polite" data-testid="upload-summary">
                {progressText}
              </p>
            </div>
            <div className="upload-list-actions">
              {retryable > 0 && (
                <button type="button" className="btn btn-secondary btn-sm" onClick={uploads.retryFailed}>
                  <RetryIcon size={16} /> Retry {retryable}
                </button>
              )}
              {cancellable > 0 && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={uploads.cancelAll}>
                  <StopIcon size={16} /> Cancel uploads
                </button>
              )}
            </div>
          </div>
          <ProgressBar value={overall} label="Overall upload progress" tone={summary.busy ? "progress" : "success"} />
          <ul className="upload-list" aria-label="Files in this upload">
            {items.map((item) => (
              <UploadRow key={item.key} item={item} images={images} uploads={uploads} />
            ))}
          </ul>
        </div>
      )}

      <div className="action-bar" data-testid="upload-action-bar">
        <div className="action-bar-text">
          {summary.busy ? (
            <span>
              <Spinner size={14} /> Uploading up to {CONCURRENCY} files at a time…
            </span>
          ) : totalOnServer > 0 ? (
            <span>
              <strong>{plural(totalOnServer, "image")}</strong> in the batch. Safe files are named as they arrive; start
              when every file is in.
            </span>
          ) : (
            <span>Add at least one image to start.</span>
          )}
          {startError && <span className="error-text">{startError}</span>}
        </div>
        <button type="button" className="btn btn-primary btn-lg" onClick={onStart} disabled={!canStart}>
          {starting ? <Spinner size={16} /> : null}
          Start renaming
          {!starting && <ArrowRightIcon size={18} />}
        </button>
      </div>
    </section>
  );
}

function UploadRow({ item, images, uploads }: { item: UploadItem; images: Map<string, Image>; uploads: Uploads }) {
  const view = rowView(item, images);
  const folder = item.path.includes("/") ? item.path.slice(0, item.path.lastIndexOf("/")) : null;
  return (
    <li className={`upload-row upload-row-${view.state}`} data-testid="upload-row" data-state={view.state} data-filename={item.file.name}>
      <Thumb src={item.previewUrl} name={item.file.name} />
      <div className="upload-info">
        <p className="upload-name" title={item.path}>
          {item.file.name}
        </p>
        <p className="upload-meta">
          {formatBytes(item.file.size)}
          {folder ? ` · ${folder}` : ""}
        </p>
        {view.detail && (
          <p className={`upload-detail${view.tone === "danger" ? " upload-detail-danger" : ""}`} data-testid="upload-detail">
            {view.state === "named" ? <code>{view.detail}</code> : view.detail}
          </p>
        )}
      </div>
      <div className="upload-status">
        <Badge tone={view.tone}>{view.label}</Badge>
        {(item.state === "uploading" || item.state === "scanning") && (
          <ProgressBar
            size="sm"
            value={item.progress * 100}
            indeterminate={item.state === "scanning"}
            label={`${item.file.name} upload progress`}
          />
        )}
      </div>
      <div className="upload-actions">
        {isRetryable(item) && (
          <button type="button" className="btn btn-ghost btn-sm btn-icon" onClick={() => uploads.retry([item.key])} aria-label={`Retry ${item.file.name}`} title="Retry">
            <RetryIcon size={16} />
          </button>
        )}
        {isCancellable(item) ? (
          <button type="button" className="btn btn-ghost btn-sm btn-icon" onClick={() => uploads.cancel([item.key])} aria-label={`Cancel ${item.file.name}`} title="Cancel">
            <CloseIcon size={16} />
          </button>
        ) : (
          (item.state === "rejected" || item.state === "failed" || item.state === "cancelled") && (
            <button type="button" className="btn btn-ghost btn-sm btn-icon" onClick={() => uploads.remove([item.key])} aria-label={`Remove ${item.file.name} from the list`} title="Remove from list">
              <CloseIcon size={16} />
            </button>
          )
        )}
      </div>
    </li>
  );
}
