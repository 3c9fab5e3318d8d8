"use client";

// Files picked or dropped for a batch, each uploaded as its own request (so each has its
// own progress and verdict), at most CONCURRENCY at a time. Thumbnails are local object
// URLs, released when the file is removed or the page goes away.
import { useCallback, useEffect, useReducer, useRef } from "react";

import { uploadImage, type UploadHandle, type UploadOutcome } from "@/api/upload";

export const CONCURRENCY = 3;

export type UploadState = "waiting" | "uploading" | "scanning" | "accepted" | "rejected" | "failed" | "cancelled";

export type UploadItem = {
  key: string;
  file: File;
  path: string; // relative path inside a dropped folder, else the file name
  previewUrl: string;
  state: UploadState;
  progress: number; // 0..1 of the bytes sent
  imageId?: string;
  code?: string;
  detail?: string;
};

type Action =
  | { type: "add"; items: UploadItem[] }
  | { type: "start"; key: string }
  | { type: "progress"; key: string; progress: number }
  | { type: "sent"; key: string }
  | { type: "finish"; key: string; outcome: UploadOutcome }
  | { type: "retry"; keys: string[] }
  | { type: "cancel"; keys: string[] }
  | { type: "remove"; keys: string[] };

function update(items: UploadItem[], keys: Iterable<string>, change: (item: UploadItem) => UploadItem): UploadItem[] {
  const wanted = new Set(keys);
  return items.map((item) => (wanted.has(item.key) ? change(item) : item));
}

function reducer(items: UploadItem[], action: Action): UploadItem[] {
  switch (action.type) {
    case "add":
      return [...items, ...action.items];
    case "start":
      return update(items, [action.key], (item) => ({ ...item, state: "uploading", progress: 0, detail: undefined }));
    case "progress":
      return update(items, [action.key], (item) =>
        item.state === "uploading" ? { ...item, progress: action.progress } : item,
      );
    case "sent":
      return update(items, [action.key], (item) =>
        item.state === "uploading" ? { ...item, state: "scanning", progress: 1 } : item,
      );
    case "finish": {
      const { outcome } = action;
      return update(items, [action.key], (item) => {
        switch (outcome.kind) {
          case "accepted":
            return { ...item, state: "accepted", progress: 1, imageId: outcome.result.image_id ?? undefined };
          case "rejected":
            return { ...item, state: "rejected", code: outcome.code, detail: outcome.detail };
          case "failed":
            return { ...item, state: "failed", progress: 0, detail: outcome.detail };
          case "aborted":
            return { ...item, state: "cancelled", progress: 0 };
        }
      });
    }
    case "retry":
      return update(items, action.keys, (item) =>
        isRetryable(item) ? { ...item, state: "waiting", progress: 0, code: undefined, detail: undefined } : item,
      );
    case "cancel":
      return update(items, action.keys, (item) => (item.state === "waiting" ? { ...item, state: "cancelled" } : item));
    case "remove": {
      const gone = new Set(action.keys);
      return items.filter((item) => !gone.has(item.key));
    }
  }
}

export function isRetryable(item: UploadItem): boolean {
  return item.state === "failed" || item.state === "cancelled" || (item.state === "rejected" && item.code === "scan_failed");
}

export function isCancellable(item: UploadItem): boolean {
  // Once every byte is sent the server is deciding; cancelling then would only hide its verdict.
  return item.state === "waiting" || item.state === "uploading";
}

function fileKey(file: File, path: string): string {
  return `${path}\u0000${file.size}\u0000${file.lastModified}`;
}

function relativePath(file: File): string {
  const withPath = file as File & { path?: string; relativePath?: string };
  const path = withPath.relativePath || file.webkitRelativePath || withPath.path || file.name;
  return path.replace(/^\.?\//, "");
}

/** Hidden files that folders bring along (.DS_Store, ._resource forks, Thumbs.db). */
function isJunk(file: File): boolean {
  return file.name.startsWith(".") || file.name === "Thumbs.db" || file.name === "desktop.ini";
}

export function useUploadQueue(batchId: string) {
  const [items, dispatch] = useReducer(reducer, []);
  const handles = useRef(new Map<string, UploadHandle>());
  const previews = useRef(new Map<string, string>());
  const lastProgress = useRef(new Map<string, number>());

  /** The files that `addFiles` would add: no hidden files, none already in the list. */
  const freshFiles = useCallback(
    (files: readonly File[]): File[] => {
      const known = new Set(items.filter((i) => i.state !== "cancelled").map((i) => i.key));
      const fresh: File[] = [];
      for (const file of files) {
        if (isJunk(file)) continue;
        const key = fileKey(file, relativePath(file));
        if (known.has(key)) continue;
        known.add(key);
        fresh.push(file);
      }
      return fresh;
    },
    [items],
  );

  const addFiles = useCallback(
    (files: readonly File[]): number => {
      const fresh: UploadItem[] = [];
      for (const file of freshFiles(files)) {
        const path = relativePath(file);
        const key = fileKey(file, path);
        const previewUrl = URL.createObjectURL(file);
        previews.current.set(key, previewUrl);
        fresh.push({ key, file, path, previewUrl, state: "waiting", progress: 0 });
      }
      if (fresh.length) dispatch({ type: "add", items: fresh });
      return fresh.length;
    },
    [freshFiles],
  );

  // Start waiting files while fewer than CONCURRENCY are in flight.
  useEffect(() => {
    let active = items.filter((i) => i.state === "uploading" || i.state === "scanning").length;
    for (const item of items) {
      if (active >= CONCURRENCY) break;
      if (item.state !== "waiting" || handles.current.has(item.key)) continue;
      active++;
      const key = item.key;
      dispatch({ type: "start", key });
      const handle = uploadImage(batchId, item.file, {
        onProgress: (fraction) => {
          // Re-render at most once per percent.
          const rounded = Math.floor(fraction * 100) / 100;
          if (lastProgress.current.get(key) === rounded) return;
          lastProgress.current.set(key, rounded);
          dispatch({ type: "progress", key, progress: rounded });
        },
        onSent: () => dispatch({ type: "sent", key }),
      });
      handles.current.set(key, handle);
      void handle.done.then((outcome) => {
        handles.current.delete(key);
        lastProgress.current.delete(key);
        dispatch({ type: "finish", key, outcome });
      });
    }
  }, [items, batchId]);

  // Abort in-flight uploads and release previews when the page goes away.
  useEffect(() => {
    const inflight = handles.current;
    const urls = previews.current;
    return () => {
      for (const handle of inflight.values()) handle.abort();
      for (const url of urls.values()) URL.revokeObjectURL(url);
      urls.clear();
    };
  }, []);

  const cancel = useCallback(
    (keys: string[]) => {
      for (const key of keys) {
        const item = items.find((i) => i.key === key);
        if (item?.state === "uploading") handles.current.get(key)?.abort();
      }
      dispatch({ type: "cancel", keys });
    },
    [items],
  );

  const cancelAll = useCallback(() => cancel(items.filter(isCancellable).map((i) => i.key)), [cancel, items]);

  const retry = useCallback((keys: string[]) => dispatch({ type: "retry", keys }), []);

  const retryFailed = useCallback(
    () => dispatch({ type: "retry", keys: items.filter(isRetryable).map((i) => i.key) }),
    [items],
  );

  const remove = useCallback(
    (keys: string[]) => {
      for (const key of keys) {
        handles.current.get(key)?.abort();
        const url = previews.current.get(key);
        if (url) URL.revokeObjectURL(url);
        previews.current.delete(key);
      }
      dispatch({ type: "remove", keys });
    },
    [],
  );

  return { items, freshFiles, addFiles, cancel, cancelAll, retry, retryFailed, remove };
}

export type UploadSummary = {
  total: number;
  waiting: number;
  inFlight: number;
  accepted: number;
  rejected: number;
  failed: number;
  cancelled: number;
  bytesTotal: number;
  bytesSent: number;
  busy: boolean;
};

export function summarize(items: readonly UploadItem[]): UploadSummary {
  const summary: UploadSummary = {
    total: items.length,
    waiting: 0,
    inFlight: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    cancelled: 0,
    bytesTotal: 0,
    bytesSent: 0,
    busy: false,
  };
  for (const item of items) {
    if (item.state === "cancelled") {
      summary.cancelled++;
      continue;
    }
    if (item.state === "failed") {
      summary.failed++; // out of the byte totals until retried, so the bar can reach 100 %
      continue;
    }
    summary.bytesTotal += item.file.size;
    if (item.state === "waiting") summary.waiting++;
    else if (item.state === "uploading" || item.state === "scanning") summary.inFlight++;
    else if (item.state === "accepted") summary.accepted++;
    else if (item.state === "rejected") summary.rejected++;
    const done = item.state === "accepted" || item.state === "rejected" || item.state === "scanning";
    summary.bytesSent += done ? item.file.size : item.state === "uploading" ? item.file.size * item.progress : 0;
  }
  summary.busy = summary.waiting + summary.inFlight > 0;
  return summary;
}
