"use client";

import { useEffect, useMemo, useState } from "react";

import { ApiError, api, downloadInFrame, downloadWithAuth, messageOf, unwrap, type Batch, type Image } from "@/api/client";
import { isFinished, percent, plural } from "@/lib/format";

import { ImageCard, cardId } from "./ImageCard";
import { AlertIcon, CheckIcon, DownloadIcon, FileTextIcon, ImageIcon, SparkleIcon } from "./Icons";
import { EmptyState, InlineAlert, ProgressBar, Spinner } from "./ui";

type Filter = "all" | "named" | "progress" | "failed" | "edited";

const FILTERS: { id: Filter; label: string; match: (image: Image) => boolean }[] = [
  { id: "all", label: "All", match: () => true },
  { id: "named", label: "Named", match: (i) => i.status === "NAMED" },
  { id: "progress", label: "In progress", match: (i) => i.status === "PENDING" || i.status === "QUEUED" || i.status === "PROCESSING" },
  { id: "failed", label: "Failed", match: (i) => i.status === "FAILED" },
  { id: "edited", label: "Edited", match: (i) => i.status === "NAMED" && i.name_edited },
];

const PAGE = 48;

export function ResultsPanel({
  batch,
  images,
  previews,
  syncing,
  onImageChange,
  onContentChanged,
}: {
  batch: Batch;
  images: Map<string, Image>;
  previews: Map<string, string>;
  syncing: boolean;
  onImageChange: (image: Image) => void;
  onContentChanged: () => void;
}) {
  const [filter, setFilter] = useState<Filter>("all");
  const [shown, setShown] = useState(PAGE);
  const all = useMemo(() => Array.from(images.values()), [images]);
  const counts = useMemo(() => {
    const result = {} as Record<Filter, number>;
    for (const f of FILTERS) result[f.id] = all.filter(f.match).length;
    return result;
  }, [all]);
  // The card a near-duplicate link asked for: shown, scrolled to, focused and briefly highlighted.
  const [target, setTarget] = useState<{ id: string; at: number } | null>(null);
  useEffect(() => {
    if (!target) return;
    const card = document.getElementById(cardId(target.id));
    card?.scrollIntoView({ block: "center" });
    card?.focus({ preventScroll: true });
    const timer = setTimeout(() => setTarget(null), 2400);
    return () => clearTimeout(timer);
  }, [target]);

  function showImage(id: string) {
    const index = all.findIndex((image) => image.id === id);
    if (index < 0) return;
    setFilter("all");
    setShown((current) => Math.max(current, Math.ceil((index + 1) / PAGE) * PAGE));
    setTarget({ id, at: Date.now() });
  }

  function duplicateOf(image: Image): { id: string; name: string } | undefined {
    const other = image.near_duplicate_of ? images.get(image.near_duplicate_of) : undefined;
    return other ? { id: other.id, name: other.final_name ?? other.original_name } : undefined;
  }

  const active = FILTERS.find((f) => f.id === filter) ?? FILTERS[0]!;
  const visible = all.filter(active.match);
  const finished = isFinished(batch.status);

  return (
    <section className="results" aria-labelledby="results-title">
      {finished ? (
        <ReviewSummary batch={batch} onShowFailed={() => setFilter("failed")} onZipStale={onContentChanged} />
      ) : (
        <ProcessingSummary batch={batch} images={all} />
      )}

      <div className="results-toolbar">
        <h2 id="results-title" className="section-title">
          {finished ? "Review names and alt text" : "Names as they arrive"}
        </h2>
        <div className="segmented" role="group" aria-label="Filter images by status">
          {FILTERS.filter((f) => f.id === "all" || counts[f.id] > 0 || f.id === filter).map((f) => (
            <button
              key={f.id}
              type="button"
              className="segment"
              aria-pressed={filter === f.id}
              onClick={() => {
                setFilter(f.id);
                setShown(PAGE);
              }}
            >
              {f.label}
              <span className="segment-count">{counts[f.id].toLocaleString()}</span>
            </button>
          ))}
        </div>
      </div>

      {all.length === 0 && syncing && (
        <div className="page-loading">
          <Spinner label="Loading images" size={24} />
        </div>
      )}
      {all.length === 0 && !syncing && (
        <EmptyState icon={<ImageIcon size={26} />} title="No images in this batch">
          Every file was refused at upload. Create a new batch to try other files.
        </EmptyState>
      )}
      {all.length > 0 && visible.length === 0 && (
        <EmptyState icon={<ImageIcon size={26} />} title={`No ${active.label.toLowerCase()} images`}>
          <button type="button" className="link-button" onClick={() => setFilter("all")}>
            Show all images
          </button>
        </EmptyState>
      )}

      <ul className="image-grid" data-testid="image-grid" aria-label={`${active.label} images`}>
        {visible.slice(0, shown).map((image) => (
          <li key={image.id}>
            <ImageCard
              image={image}
              preview={previews.get(image.id)}
              duplicateOf={duplicateOf(image)}
              onShowImage={showImage}
              highlighted={target?.id === image.id}
              onChange={onImageChange}
              onContentChanged={onContentChanged}
            />
          </li>
        ))}
      </ul>
      {visible.length > shown && (
        <div className="list-more">
          <button type="button" className="btn btn-secondary" onClick={() => setShown(shown + PAGE)}>
            Show {Math.min(PAGE, visible.length - shown)} more of {(visible.length - shown).toLocaleString()}
          </button>
        </div>
      )}
    </section>
  );
}

const LATEST = 6;

function doneAt(image: Image): number {
  return Date.parse(image.processed_at ?? image.created_at) || 0;
}

function ProcessingSummary({ batch, images }: { batch: Batch; images: Image[] }) {
  // From the images themselves, so names that arrived by a resync are listed as well.
  const latest = useMemo(
    () =>
      images
        .filter((image) => image.status === "NAMED" || image.status === "FAILED")
        .sort((a, b) => doneAt(b) - doneAt(a))
        .slice(0, LATEST),
    [images],
  );
  const done = batch.processed_images + batch.failed_images;
  const total = batch.total_images;
  return (
    <div className="card summary-card summary-processing" data-testid="processing-summary">
      <div className="summary-main">
        <div className="summary-heading">
          <span className="summary-icon summary-icon-progress" aria-hidden="true">
            <SparkleIcon size={22} />
          </span>
          <div>
            <h2>Renaming {plural(total, "image")}…</h2>
            <p className="muted" aria-live="polite" data-testid="processing-counts">
              {done.toLocaleString()} of {total.toLocaleString()} done · {batch.processed_images.toLocaleString()} named
              {batch.failed_images ? ` · ${batch.failed_images.toLocaleString()} failed` : ""}
            </p>
          </div>
          <span className="summary-percent">{percent(done, total)}%</span>
        </div>
        <ProgressBar
          size="lg"
          value={percent(done, total)}
          label="Renaming progress"
          segments={[
            { value: percent(batch.processed_images, total), tone: "success" },
            { value: percent(batch.failed_images, total), tone: "danger" },
          ]}
        />
        <p className="help">You can leave this page; renaming carries on and the ZIP is built when it is done.</p>
      </div>
      <div className="activity">
        <h3 className="eyebrow">Latest</h3>
        {latest.length === 0 ? (
          <p className="muted activity-empty">Waiting for the first names…</p>
        ) : (
          <ul className="activity-list" data-testid="activity">
            {latest.map((image) => {
              const failed = image.status === "FAILED";
              return (
                <li key={image.id} className={`activity-item activity-${failed ? "failed" : "named"}`}>
                  <span className="activity-icon" aria-hidden="true">
                    {failed ? <AlertIcon size={14} /> : <CheckIcon size={14} />}
                  </span>
                  <span className="activity-text">
                    <span className="activity-old">{image.original_name}</span>
                    {failed ? (
                      <>: {image.failure_reason}</>
                    ) : (
                      <>
                        <span aria-hidden="true"> → </span>
                        <span className="visually-hidden"> renamed to </span>
                        <code>{image.final_name}</code>
                      </>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}

function ReviewSummary({
  batch,
  onShowFailed,
  onZipStale,
}: {
  batch: Batch;
  onShowFailed: () => void;
  onZipStale: () => void;
}) {
  const [downloading, setDownloading] = useState<"zip" | "manifest" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [wasReady, setWasReady] = useState(batch.download_ready);
  if (wasReady !== batch.download_ready) {
    setWasReady(batch.download_ready);
    if (batch.download_ready) setMessage(null); // the "being built" note is answered
  }
  const failed = batch.failed_images;
  const named = batch.processed_images;

  async function downloadZip() {
    setDownloading("zip");
    setMessage(null);
    try {
      const link = await unwrap(api().GET("/batches/{batch_id}/download", { params: { path: { batch_id: batch.id } } }));
      void downloadInFrame(link.url).then((outcome) => {
        if (outcome === "failed") setMessage("The ZIP could not be fetched from storage just now; try again in a moment.");
      });
    } catch (cause) {
      if (cause instanceof ApiError && cause.code === "zip_not_ready") onZipStale(); // wait for the rebuild
      setMessage(messageOf(cause));
    } finally {
      setDownloading(null);
    }
  }

  async function downloadManifest() {
    setDownloading("manifest");
    setMessage(null);
    try {
      await downloadWithAuth(`/batches/${batch.id}/manifest.csv`, "manifest.csv");
    } catch (cause) {
      setMessage(messageOf(cause));
    } finally {
      setDownloading(null);
    }
  }

  const tone = batch.status === "COMPLETED" ? "success" : batch.status === "PARTIAL" ? "warning" : "danger";
  return (
    <div className={`card summary-card summary-${tone}`} data-testid="review-summary">
      <div className="summary-heading">
        <span className={`summary-icon summary-icon-${tone}`} aria-hidden="true">
          {tone === "success" ? <CheckIcon size={22} /> : <AlertIcon size={22} />}
        </span>
        <div>
          <h2>
            {batch.status === "COMPLETED"
              ? `All set: ${plural(named, "image")} named`
              : batch.status === "PARTIAL"
                ? `${plural(named, "image")} named, ${failed.toLocaleString()} could not be`
                : "No image could be named"}
          </h2>
          <p className="muted">
            Check the names and alt text below; edits go into the ZIP.{" "}
            {failed > 0 && (
              <button type="button" className="link-button" onClick={onShowFailed}>
                See what failed
              </button>
            )}
          </p>
        </div>
      </div>
      <div className="summary-actions">
        <button
          type="button"
          className="btn btn-primary btn-lg"
          onClick={downloadZip}
          disabled={!batch.download_ready || downloading !== null || named === 0}
          data-testid="download-zip"
        >
          {downloading === "zip" || (!batch.download_ready && named > 0) ? <Spinner size={16} /> : <DownloadIcon size={18} />}
          {batch.download_ready || named === 0 ? "Download ZIP" : "Preparing ZIP…"}
        </button>
        <button
          type="button"
          className="btn btn-secondary btn-lg"
          onClick={downloadManifest}
          disabled={downloading !== null}
          data-testid="download-manifest"
        >
          <FileTextIcon size={18} /> Manifest CSV
        </button>
      </div>
      {message && (
        <div className="summary-message">
          <InlineAlert tone="warning">{message}</InlineAlert>
        </div>
      )}
    </div>
  );
}
