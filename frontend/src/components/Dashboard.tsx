"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

import { api, messageOf, unwrap, type Batch } from "@/api/client";
import { quotaSentence, useQuota } from "@/hooks/useQuota";
import { BATCH_STATUS, formatDate, formatDateTime, percent, plural } from "@/lib/format";

import { ArrowRightIcon, ImageIcon, PlusIcon } from "./Icons";
import { Badge, EmptyState, ErrorState, ProgressBar } from "./ui";

const PAGE_SIZE = 50;
const USAGE_PAGES_MAX = 20; // up to 1,000 batches in a month are counted

type Usage = { images: number; named: number; failed: number; batches: number };

function monthStart(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), 1);
}

function usageOf(batches: Batch[]): Usage {
  const start = monthStart().getTime();
  const usage: Usage = { images: 0, named: 0, failed: 0, batches: 0 };
  for (const batch of batches) {
    if (new Date(batch.created_at).getTime() < start) continue;
    usage.batches++;
    usage.images += batch.total_images;
    usage.named += batch.processed_images;
    usage.failed += batch.failed_images;
  }
  return usage;
}

function fetchPage(page: number) {
  return unwrap(api().GET("/batches", { params: { query: { page, page_size: PAGE_SIZE } } }));
}

async function loadDashboard(): Promise<{ batches: Batch[]; total: number; usage: Usage }> {
  const first = await fetchPage(1);
  // Usage is counted from the batches created this month (newest first): read on while
  // the last batch read is still from this month.
  const counted = [...first.items];
  const start = monthStart().getTime();
  for (let n = 2; n <= USAGE_PAGES_MAX && counted.length < first.total; n++) {
    const last = counted[counted.length - 1];
    if (!last || new Date(last.created_at).getTime() < start) break;
    counted.push(...(await fetchPage(n)).items);
  }
  return { batches: first.items, total: first.total, usage: usageOf(counted) };
}

export function Dashboard() {
  const [batches, setBatches] = useState<Batch[] | null>(null);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const [attempt, setAttempt] = useState(0);
  const quota = useQuota();

  useEffect(() => {
    let cancelled = false;
    loadDashboard().then(
      (result) => {
        if (cancelled) return;
        setBatches(result.batches);
        setTotal(result.total);
        setPage(1);
        setUsage(result.usage);
        setError(null);
      },
      (cause: unknown) => {
        if (!cancelled) setError(messageOf(cause));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  async function loadMore() {
    setLoadingMore(true);
    try {
      const next = await fetchPage(page + 1);
      setBatches((current) => [...(current ?? []), ...next.items]);
      setTotal(next.total);
      setPage(page + 1);
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setLoadingMore(false);
    }
  }

  const monthName = new Intl.DateTimeFormat(undefined, { month: "long" }).format(new Date());

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Your batches</h1>
          <p className="muted">Upload images, let them be named, review and download.</p>
        </div>
        <Link href="/batches/new" className="btn btn-primary">
          <PlusIcon size={18} />
          New batch
        </Link>
      </div>

      <section className="usage-card card" aria-labelledby="usage-title">
        <div className="usage-main">
          <h2 id="usage-title" className="eyebrow">
            Images this month
          </h2>
          <p className="usage-figure" aria-live="polite">
            {usage ? usage.images.toLocaleString() : <span className="skeleton skeleton-figure" />}
          </p>
          <p className="help">
            In the batches created in {monthName}
            {usage ? ` (${plural(usage.batches, "batch", "batches")})` : ""}.
          </p>
          {quota.usage && (
            <p className="help" data-testid="dashboard-quota">
              {quotaSentence(quota.usage.used, quota.usage.limit, quota.usage.remaining)}{" "}
              <Link href="/billing">Plan and usage</Link>
            </p>
          )}
        </div>
        <div className="usage-meter">
          <ProgressBar
            size="lg"
            label="Images this month by outcome"
            value={usage ? percent(usage.named + usage.failed, usage.images) : 0}
            segments={
              usage
                ? [
                    { value: percent(usage.named, usage.images), tone: "success" },
                    { value: percent(usage.failed, usage.images), tone: "danger" },
                  ]
                : []
            }
          />
          <ul className="legend">
            <li>
              <span className="legend-dot legend-success" /> {usage ? usage.named.toLocaleString() : "–"} named
            </li>
            <li>
              <span className="legend-dot legend-danger" /> {usage ? usage.failed.toLocaleString() : "–"} failed
            </li>
            <li>
              <span className="legend-dot legend-neutral" />{" "}
              {usage ? Math.max(0, usage.images - usage.named - usage.failed).toLocaleString() : "–"} in progress
            </li>
          </ul>
        </div>
      </section>

      {error && !batches && (
        <ErrorState
          title="Your batches could not be loaded"
          detail={error}
          onRetry={() => {
            setError(null);
            setAttempt((n) => n + 1);
          }}
        />
      )}

      {!batches && !error && (
        <div className="card batch-list" aria-busy="true" aria-label="Loading batches">
          {Array.from({ length: 4 }, (_, i) => (
            <div className="batch-row batch-row-skeleton" key={i}>
              <span className="skeleton skeleton-line" />
              <span className="skeleton skeleton-pill" />
              <span className="skeleton skeleton-line short" />
            </div>
          ))}
        </div>
      )}

      {batches && batches.length === 0 && (
        <EmptyState
          icon={<ImageIcon size={26} />}
          title="No batches yet"
          action={
            <Link href="/batches/new" className="btn btn-primary">
              <PlusIcon size={18} />
              Create your first batch
            </Link>
          }
        >
          A batch is a set of images renamed with the same keywords, for example a product launch or a campaign.
        </EmptyState>
      )}

      {batches && batches.length > 0 && (
        <section aria-labelledby="batches-title">
          <h2 id="batches-title" className="visually-hidden">
            Batches, newest first
          </h2>
          {error && <p className="error-text">{error}</p>}
          <ul className="card batch-list" data-testid="batch-list">
            <li className="batch-row batch-row-head" aria-hidden="true">
              <span>Batch</span>
              <span>Status</span>
              <span>Images</span>
              <span>Created</span>
              <span>Completed</span>
              <span />
            </li>
            {batches.map((batch) => (
              <BatchRow key={batch.id} batch={batch} />
            ))}
          </ul>
          {batches.length < total && (
            <div className="list-more">
              <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? "Loading…" : `Show more (${(total - batches.length).toLocaleString()} older)`}
              </button>
            </div>
          )}
        </section>
      )}
    </>
  );
}

function BatchRow({ batch }: { batch: Batch }) {
  const status = BATCH_STATUS[batch.status];
  const done = batch.processed_images + batch.failed_images;
  return (
    <li className="batch-row">
      <Link href={`/batches/${batch.id}`} className="batch-link">
        <span className="batch-cell batch-name">
          <span className="batch-title">{batch.name || "Untitled batch"}</span>
          <span className="batch-keywords">{batch.keywords.length ? batch.keywords.join(" · ") : "No keywords"}</span>
        </span>
        <span className="batch-cell">
          <Badge tone={status.tone}>{status.label}</Badge>
        </span>
        <span className="batch-cell batch-counts">
          <span>
            <strong>{batch.processed_images.toLocaleString()}</strong> / {batch.total_images.toLocaleString()} named
          </span>
          {batch.failed_images > 0 && <span className="count-failed">{batch.failed_images.toLocaleString()} failed</span>}
          {batch.status === "PROCESSING" && (
            <ProgressBar size="sm" value={percent(done, batch.total_images)} label="Renaming progress" />
          )}
        </span>
        <span className="batch-cell batch-date">
          <span className="cell-label">Created </span>
          <time dateTime={batch.created_at} title={formatDateTime(batch.created_at)}>
            {formatDate(batch.created_at)}
          </time>
        </span>
        <span className="batch-cell batch-date">
          <span className="cell-label">Completed </span>
          {batch.completed_at ? (
            <time dateTime={batch.completed_at} title={formatDateTime(batch.completed_at)}>
              {formatDate(batch.completed_at)}
            </time>
          ) : (
            "—"
          )}
        </span>
        <span className="batch-cell batch-go" aria-hidden="true">
          <ArrowRightIcon size={18} />
        </span>
      </Link>
    </li>
  );
}
