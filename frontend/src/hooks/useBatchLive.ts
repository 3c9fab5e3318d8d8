"use client";

// A batch and its images, kept current by the realtime feed. REST gives the snapshot
// (on load, on every socket (re)join and after a seq gap); events are applied on top.
// Events that arrive while a snapshot is being read are applied at once and again on
// top of the snapshot, so a snapshot read just before an event cannot roll it back
// (handlers are idempotent: an event only sets fields to the values it carries).
//
// The ZIP: after an edit here, a BATCH_COMPLETED saying download_ready may describe the
// build before the edit, so the flag is believed only from a REST read that began after
// the last edit had been saved.
//
// IMAGE_PROCESSED carries the name and alt text but not the review details (provider,
// cost, unsafe, near-duplicate links, which can also change an *earlier* image), so a
// BATCH_COMPLETED after names arrived that way triggers one REST resync that brings them.
import { useCallback, useEffect, useReducer, useRef } from "react";

import { ApiError, api, fetchAllImages, unwrap, type Batch, type Image } from "@/api/client";
import { BatchFeed, type ConnectionState, type RealtimeEvent } from "@/lib/realtime";
import { reportUnauthorized } from "@/lib/session";

export type LiveState = {
  batch: Batch | null;
  images: Map<string, Image>;
  loadError: ApiError | null;
  syncing: boolean;
  connection: ConnectionState;
  connectionDetail?: string;
  lastSeq: number | null;
  eventsReceived: number;
  namesFromEvents: number; // IMAGE_PROCESSED events applied (tests read it from the DOM)
};

type Action =
  | { type: "snapshot"; batch: Batch; images: Image[]; replay: RealtimeEvent[]; distrustReady: boolean }
  | { type: "loadError"; error: ApiError }
  | { type: "syncing" }
  | { type: "event"; event: RealtimeEvent; distrustReady: boolean }
  | { type: "connection"; state: ConnectionState; detail?: string }
  | { type: "seq"; seq: number }
  | { type: "batch"; batch: Batch }
  | { type: "batchEdited"; batch: Batch }
  | { type: "image"; image: Image }
  | { type: "downloadPending" };

function stubImage(event: RealtimeEvent, id: string): Image {
  return {
    id,
    batch_id: event.batch_id,
    original_name: String(event.data.filename ?? "image"),
    status: "QUEUED",
    mime_type: String(event.data.mime_type ?? ""),
    file_size: 0,
    width: 0,
    height: 0,
    proposed_name: null,
    final_name: null,
    name_edited: false,
    alt_text: null,
    failure_code: null,
    failure_reason: null,
    provider: null,
    cost_usd: 0,
    unsafe: false,
    near_duplicate_of: null,
    thumbnail_url: null,
    created_at: event.at,
    processed_at: null,
  };
}

function applyEvent(state: LiveState, event: RealtimeEvent, distrustReady = false): LiveState {
  let { batch, images } = state;
  if (batch) {
    batch = {
      ...batch,
      total_images: event.counts.total,
      processed_images: event.counts.processed,
      failed_images: event.counts.failed,
    };
  }
  const id = event.image_id;
  const current = id ? images.get(id) : undefined;
  const data = event.data;
  const setImage = (image: Image) => {
    images = new Map(images);
    images.set(image.id, image);
  };
  switch (event.type) {
    case "IMAGE_UPLOADED":
      if (id && !current) setImage(stubImage(event, id));
      break;
    case "BATCH_PROCESSING_STARTED":
      if (batch) batch = { ...batch, status: "PROCESSING", download_ready: false, completed_at: null };
      break;
    case "IMAGE_PROCESSED":
      if (id) {
        const base = current ?? stubImage(event, id);
        const image: Image = {
          ...base,
          status: "NAMED",
          proposed_name: (data.proposed_name as string) ?? base.proposed_name,
          final_name: (data.final_name as string) ?? base.final_name,
          alt_text: (data.alt_text as string) ?? base.alt_text,
          thumbnail_url: (data.thumbnail_url as string | null) ?? base.thumbnail_url,
          // Only when the event carries them; otherwise the resync at completion brings them.
          provider: "provider" in data ? (data.provider as string | null) : base.provider,
          unsafe: "unsafe" in data ? Boolean(data.unsafe) : base.unsafe,
          near_duplicate_of: "near_duplicate_of" in data ? (data.near_duplicate_of as string | null) : base.near_duplicate_of,
          cost_usd: typeof data.cost_usd === "number" ? data.cost_usd : base.cost_usd,
          name_edited: false,
          failure_code: null,
          failure_reason: null,
          processed_at: event.at,
        };
        setImage(image);
      }
      break;
    case "PROCESSING_ERROR":
      if (id) {
        const base = current ?? stubImage(event, id);
        setImage({
          ...base,
          status: "FAILED",
          failure_code: (data.code as string) ?? "failed",
          failure_reason: (data.reason as string) ?? "This image could not be named.",
          processed_at: event.at,
        });
      }
      break;
    case "BATCH_COMPLETED":
      if (batch) {
        batch = {
          ...batch,
          status: (data.status as Batch["status"]) ?? batch.status,
          download_ready: Boolean(data.download_ready) && !distrustReady,
          completed_at: batch.completed_at ?? event.at,
        };
      }
      break;
  }
  return {
    ...state,
    batch,
    images,
    eventsReceived: state.eventsReceived + 1,
    namesFromEvents: state.namesFromEvents + (event.type === "IMAGE_PROCESSED" ? 1 : 0),
  };
}

function reducer(state: LiveState, action: Action): LiveState {
  switch (action.type) {
    case "snapshot": {
      let next: LiveState = {
        ...state,
        batch: action.batch,
        images: new Map(action.images.map((image) => [image.id, image])),
        loadError: null,
        syncing: false,
      };
      for (const event of action.replay) next = applyEvent(next, event, action.distrustReady);
      // Replayed events were counted when they first arrived.
      return { ...next, eventsReceived: state.eventsReceived, namesFromEvents: state.namesFromEvents };
    }
    case "loadError":
      return { ...state, loadError: action.error, syncing: false };
    case "syncing":
      return { ...state, syncing: true };
    case "event":
      return applyEvent(state, action.event, action.distrustReady);
    case "connection":
      return { ...state, connection: action.state, connectionDetail: action.detail };
    case "seq":
      return { ...state, lastSeq: action.seq };
    case "batch":
      return { ...state, batch: action.batch };
    case "batchEdited":
      // The edit's own answer says "not ready" (the ZIP is stale), but the rebuild's event may
      // already have been applied; readiness is left to events and reads, as after any edit.
      return { ...state, batch: { ...action.batch, download_ready: state.batch?.download_ready ?? false } };
    case "image": {
      const images = new Map(state.images);
      images.set(action.image.id, action.image);
      return { ...state, images };
    }
    case "downloadPending":
      return state.batch ? { ...state, batch: { ...state.batch, download_ready: false } } : state;
  }
}

const initialState: LiveState = {
  batch: null,
  images: new Map(),
  loadError: null,
  syncing: true,
  connection: "connecting",
  lastSeq: null,
  eventsReceived: 0,
  namesFromEvents: 0,
};

export function useBatchLive(batchId: string) {
  const [state, dispatch] = useReducer(reducer, initialState);
  const generation = useRef(0);
  const capture = useRef<RealtimeEvent[] | null>(null);
  const edits = useRef(0); // edits saved from this page
  const confirmedEdits = useRef(0); // edits a REST read of the batch is known to include
  const detailsStale = useRef(false); // images were named by events since the last REST read

  const readBatch = useCallback(async (): Promise<Batch> => {
    const editsBefore = edits.current;
    const batch = await unwrap(api().GET("/batches/{batch_id}", { params: { path: { batch_id: batchId } } }));
    if (editsBefore === edits.current) {
      confirmedEdits.current = Math.max(confirmedEdits.current, editsBefore);
      return batch;
    }
    return { ...batch, download_ready: false }; // an edit landed meanwhile: this answer may predate it
  }, [batchId]);

  const refreshBatch = useCallback(async () => {
    try {
      dispatch({ type: "batch", batch: await readBatch() });
    } catch {
      // the next event or resync corrects it
    }
  }, [readBatch]);

  const resync = useCallback(async () => {
    const mine = ++generation.current;
    detailsStale.current = false;
    const captured: RealtimeEvent[] = [];
    capture.current = captured;
    dispatch({ type: "syncing" });
    try {
      const [batch, images] = await Promise.all([readBatch(), fetchAllImages(batchId)]);
      if (mine !== generation.current) return; // a newer read is on its way
      capture.current = null;
      const distrustReady = edits.current > confirmedEdits.current;
      dispatch({ type: "snapshot", batch, images, replay: captured, distrustReady });
    } catch (error) {
      if (mine !== generation.current) return;
      capture.current = null;
      dispatch({
        type: "loadError",
        error: error instanceof ApiError ? error : new ApiError(0, "error", "Could not load this batch."),
      });
    }
  }, [batchId, readBatch]);

  useEffect(() => {
    const generations = generation;
    void resync();
    const feed = new BatchFeed(batchId, {
      onEvent: (event) => {
        capture.current?.push(event);
        const unconfirmedEdits = edits.current > confirmedEdits.current;
        dispatch({ type: "event", event, distrustReady: unconfirmedEdits });
        if (event.type === "IMAGE_PROCESSED") detailsStale.current = true;
        if (event.type === "BATCH_COMPLETED" && detailsStale.current) void resync();
        else if (event.type === "BATCH_COMPLETED" && event.data.download_ready && unconfirmedEdits) void refreshBatch();
      },
      onResync: () => void resync(),
      onState: (connection, detail) => dispatch({ type: "connection", state: connection, detail }),
      onSeq: (seq) => dispatch({ type: "seq", seq }),
      onUnauthorized: reportUnauthorized,
    });
    feed.start();
    return () => {
      feed.stop();
      generations.current++; // results of reads still in flight are dropped
    };
  }, [batchId, resync, refreshBatch]);

  const setBatch = useCallback((batch: Batch) => dispatch({ type: "batch", batch }), []);
  const setImage = useCallback((image: Image) => dispatch({ type: "image", image }), []);
  /** A batch returned by an edit that rebuilds the ZIP; call markDownloadPending before sending it. */
  const setEditedBatch = useCallback((batch: Batch) => dispatch({ type: "batchEdited", batch }), []);
  /** Call after a saved edit (or a 409 zip_not_ready): the ZIP is being rebuilt. */
  const markDownloadPending = useCallback(() => {
    edits.current++;
    dispatch({ type: "downloadPending" });
  }, []);

  return { ...state, resync, refreshBatch, setBatch, setEditedBatch, setImage, markDownloadPending };
}
