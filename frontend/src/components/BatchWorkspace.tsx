"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { useMemo, useState } from "react";

import { api, messageOf, unwrap } from "@/api/client";
import { useBatchLive } from "@/hooks/useBatchLive";
import { useUploadQueue } from "@/hooks/useUploadQueue";
import { BATCH_STATUS, formatCost, formatDateTime, isFinished, isOpenForUpload } from "@/lib/format";
import type { ConnectionState } from "@/lib/realtime";

import { BatchSettings } from "./BatchSettings";
import { ArrowLeftIcon } from "./Icons";
import { KeywordSuggestions } from "./KeywordSuggestions";
import { ResultsPanel } from "./ResultsPanel";
import { UploadPanel } from "./UploadPanel";
import { Badge, ErrorState, Spinner } from "./ui";

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  unavailable: "Live updates off",
};

export function BatchWorkspace() {
  const params = useParams<{ id: string }>();
  const batchId = params.id;
  const live = useBatchLive(batchId);
  const uploads = useUploadQueue(batchId);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const { batch } = live;

  // Local previews for images this tab uploaded, shown until the server's thumbnail exists.
  const previews = useMemo(() => {
    const map = new Map<string, string>();
    for (const item of uploads.items) if (item.imageId) map.set(item.imageId, item.previewUrl);
    return map;
  }, [uploads.items]);

  async function start() {
    setStarting(true);
    setStartError(null);
    try {
      live.setBatch(await unwrap(api().POST("/batches/{batch_id}/start", { params: { path: { batch_id: batchId } } })));
    } catch (cause) {
      setStartError(messageOf(cause));
    } finally {
      setStarting(false);
    }
  }

  if (!batch) {
    if (live.loadError) {
      const missing = live.loadError.status === 404 || live.loadError.status === 422;
      return (
        <>
          <Link href="/" className="back-link">
            <ArrowLeftIcon size={16} /> Batches
          </Link>
          <ErrorState
            title={missing ? "Batch not found" : "This batch could not be loaded"}
            detail={missing ? "It may have been deleted, or it belongs to another account." : live.loadError.detail}
            onRetry={missing ? undefined : () => void live.resync()}
          />
        </>
      );
    }
    return (
      <div className="page-loading" aria-busy="true">
        <Spinner label="Loading batch" size={28} />
      </div>
    );
  }

  const status = BATCH_STATUS[batch.status];
  const uploading = isOpenForUpload(batch.status);
  const finished = isFinished(batch.status);
  const step = uploading ? 1 : finished ? 3 : 2;

  return (
    <div
      className="workspace"
      data-testid="batch-workspace"
      data-batch-status={batch.status}
      data-last-seq={live.lastSeq ?? ""}
      data-events-received={live.eventsReceived}
      data-names-from-events={live.namesFromEvents}
      data-connection={live.connection}
    >
      <div className="page-header workspace-header">
        <div className="workspace-title">
          <Link href="/" className="back-link">
            <ArrowLeftIcon size={16} /> Batches
          </Link>
          <div className="title-row">
            <h1>{batch.name || "Untitled batch"}</h1>
            <Badge tone={status.tone}>{status.label}</Badge>
          </div>
          <div className="batch-meta">
            {batch.keywords.length > 0 ? (
              <ul className="chips chips-static" aria-label="Keywords">
                {batch.keywords.map((keyword) => (
                  <li key={keyword} className="chip chip-static">
                    {keyword}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">No keywords</span>
            )}
            <span className="muted meta-sep">Created {formatDateTime(batch.created_at)}</span>
            {batch.cost_usd > 0 && (
              <span
                className="muted meta-sep"
                data-testid="batch-cost"
                title="What the vision provider calls for this batch are estimated to cost"
              >
                Estimated provider cost {formatCost(batch.cost_usd)}
              </span>
            )}
          </div>
        </div>
        <div
          className={`connection connection-${live.connection}`}
          data-testid="connection"
          title={live.connectionDetail}
          role="status"
        >
          <span className="connection-dot" aria-hidden="true" />
          {CONNECTION_LABEL[live.connection]}
        </div>
      </div>

      <ol className="stepper" aria-label="Progress">
        {["Upload", "Rename", "Review & download"].map((label, index) => {
          const n = index + 1;
          const state = n < step ? "done" : n === step ? "current" : "todo";
          return (
            <li key={label} className={`step step-${state}`} aria-current={state === "current" ? "step" : undefined}>
              <span className="step-number" aria-hidden="true">
                {n}
              </span>
              <span className="step-label">{label}</span>
            </li>
          );
        })}
      </ol>

      {live.connection !== "live" && live.connection !== "connecting" && (
        <div className="banner banner-warning" role="status">
          <span>
            {live.connectionDetail ?? "Live updates are paused while we reconnect."} The page catches up by itself once
            connected.
          </span>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void live.resync()}>
            Refresh now
          </button>
        </div>
      )}

      <BatchSettings
        batch={batch}
        onSaved={live.setEditedBatch}
        onZipStale={live.markDownloadPending}
        onFailed={() => void live.refreshBatch()}
      />

      {uploading ? (
        <>
          <UploadPanel
            batch={batch}
            uploads={uploads}
            images={live.images}
            onStart={start}
            starting={starting}
            startError={startError}
          />
          <KeywordSuggestions batch={batch} onBatchChange={live.setBatch} />
        </>
      ) : (
        <ResultsPanel
          batch={batch}
          images={live.images}
          previews={previews}
          syncing={live.syncing}
          onImageChange={live.setImage}
          onContentChanged={live.markDownloadPending}
        />
      )}
    </div>
  );
}
