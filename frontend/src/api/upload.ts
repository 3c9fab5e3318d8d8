// One file, one multipart POST to /batches/{id}/images (field `files`). XMLHttpRequest
// rather than fetch because only XHR reports upload progress; the response types still
// come from the generated schema.
import { runtimeConfig } from "@/lib/config";
import { reportUnauthorized } from "@/lib/session";

import { errorFrom, isErrorBody, withCsrf, type FileResult, type UploadResults } from "./client";

export type UploadOutcome =
  | { kind: "accepted"; result: FileResult }
  | { kind: "rejected"; code: string; detail: string }
  | { kind: "failed"; detail: string }
  | { kind: "aborted" };

export type UploadHandle = {
  done: Promise<UploadOutcome>;
  abort: () => void;
};

export type UploadCallbacks = {
  /** Fraction of the request body sent, 0..1. */
  onProgress: (fraction: number) => void;
  /** Every byte is sent: the server is now checking the file (type, decode, virus scan). */
  onSent: () => void;
};

function resultOf(body: unknown): FileResult | null {
  const results = (body as Partial<UploadResults> | null)?.results;
  return Array.isArray(results) && results.length > 0 ? (results[0] as FileResult) : null;
}

export function uploadImage(batchId: string, file: File, callbacks: UploadCallbacks): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open("POST", `${runtimeConfig().apiUrl}/batches/${encodeURIComponent(batchId)}/images`);
    xhr.withCredentials = true; // the session cookie
    withCsrf("POST", new Headers()).forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) callbacks.onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => callbacks.onSent();
    xhr.onabort = () => resolve({ kind: "aborted" });
    xhr.onerror = () =>
      resolve({ kind: "failed", detail: "The connection was lost while uploading. Retry when you are back online." });
    xhr.ontimeout = () => resolve({ kind: "failed", detail: "The upload timed out. Retry it." });
    xhr.onload = () => {
      const status = xhr.status;
      const body: unknown = xhr.response;
      const result = resultOf(body);
      if (status === 401) {
        reportUnauthorized();
        resolve({ kind: "failed", detail: "Your session has ended; log in again to continue." });
      } else if (status >= 200 && status < 300 && result?.status === "accepted") {
        resolve({ kind: "accepted", result });
      } else if (result && result.status === "rejected") {
        // One file per request: the 422 envelope still lists that file's own verdict.
        resolve({ kind: "rejected", code: result.code ?? "rejected", detail: result.detail ?? "The file was refused." });
      } else if (
        status === 409 ||
        status === 413 ||
        status === 415 ||
        (status === 422 && isErrorBody(body)) ||
        // Over the organization's monthly quota: a verdict, not a failure to retry.
        (isErrorBody(body) && body.code === "quota_exceeded")
      ) {
        const error = errorFrom(status, body);
        resolve({ kind: "rejected", code: error.code, detail: error.detail });
      } else {
        resolve({ kind: "failed", detail: errorFrom(status, body).detail });
      }
    };
    const form = new FormData();
    form.append("files", file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
