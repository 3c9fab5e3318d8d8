// The typed API client: openapi-fetch over the types generated from the API's OpenAPI
// document (src/api/schema.d.ts, `npm run gen:api`). Every error the API sends has the
// shape {error, code, detail, ...}; `unwrap` turns any failure into an ApiError.
import createClient, { type Client, type Middleware } from "openapi-fetch";

import { runtimeConfig } from "@/lib/config";
import { CSRF_HEADER, csrfToken, refreshCsrf, reportUnauthorized } from "@/lib/session";

import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Batch = Schemas["BatchPublic"];
export type BatchStatus = Schemas["BatchStatus"];
export type Image = Schemas["ImagePublic"];
export type ImageStatus = Schemas["ImageStatus"];
export type FileResult = Schemas["FileResult"];
export type UploadResults = Schemas["UploadResults"];
export type User = Schemas["UserPublic"];
export type TokenResponse = Schemas["TokenResponse"];
export type Organization = Schemas["OrganizationPublic"];
export type OrganizationRole = Organization["role"];
export type Member = Schemas["MemberPublic"];
export type Invitation = Schemas["InvitationPublic"];
export type ApiKey = Schemas["ApiKeyPublic"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type Billing = Schemas["BillingPublic"];
export type Plan = Schemas["PlanPublic"];
export type Usage = Schemas["UsagePublic"];

/** The body of every error response (core/errors.py, api/errors.py). */
export type ErrorBody = {
  error: string;
  code: string;
  detail: string;
  [extra: string]: unknown;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly body: Partial<ErrorBody> | null = null,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

const NETWORK_DETAIL = "Can’t reach the Image Renamer API. Check your connection and try again.";

export function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && typeof (value as ErrorBody).detail === "string";
}

export function errorFrom(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body.code ?? "error", body.detail, body);
  const fallback =
    status >= 500 ? "Something went wrong on our side. Please try again." : `The request failed (HTTP ${status}).`;
  return new ApiError(status, status >= 500 ? "server_error" : "error", fallback, null);
}

// Requests to these answer 401 for a wrong password: that is a message, not a logout.
const AUTH_PATHS = ["/auth/login", "/auth/signup"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Every request that changes state carries the session's CSRF token (the cookie goes along by itself). */
export function withCsrf(method: string, headers: Headers): Headers {
  const token = csrfToken();
  if (token && !SAFE_METHODS.has(method.toUpperCase())) headers.set(CSRF_HEADER, token);
  return headers;
}

async function isCsrfRefusal(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  const body: unknown = await response.clone().json().catch(() => null);
  return isErrorBody(body) && body.code === "csrf_failed";
}

// Unsent copies of state-changing requests, to send again once if another tab re-issued the
// session (an organization switch) and this page's CSRF token went stale with it.
const retryCopies = new WeakMap<Request, Request>();

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    withCsrf(request.method, request.headers);
    if (!SAFE_METHODS.has(request.method)) retryCopies.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !AUTH_PATHS.some((p) => path.endsWith(p))) reportUnauthorized();
    const copy = retryCopies.get(request);
    retryCopies.delete(request);
    if (copy && (await isCsrfRefusal(response))) {
      const fresh = await refreshCsrf();
      if (fresh) {
        copy.headers.set(CSRF_HEADER, fresh);
        return fetch(copy);
      }
    }
    return response;
  },
};

let client: Client<paths> | null = null;

export function api(): Client<paths> {
  if (!client) {
    // credentials: the session cookie goes to the API's origin (same site, another port or host).
    client = createClient<paths>({ baseUrl: runtimeConfig().apiUrl, credentials: "include" });
    client.use(sessionMiddleware);
  }
  return client;
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The response's data, or an ApiError carrying the API's `detail` sentence. */
export async function unwrap<T>(request: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "network_error", NETWORK_DETAIL);
  }
  if (!outcome.response.ok) throw errorFrom(outcome.response.status, outcome.error);
  return outcome.data as T;
}

/**
 * A request validation error's message per body field ({"name_template": "The name template ..."}),
 * from the `fields` list the API adds to 422s ("name_template: The name template ...").
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const fields = error instanceof ApiError ? error.body?.fields : undefined;
  const found: Record<string, string> = {};
  if (!Array.isArray(fields)) return found;
  for (const entry of fields) {
    const match = typeof entry === "string" ? /^([a-z_]+)(?:\.\d+)*: ([\s\S]+)$/.exec(entry) : null;
    if (match && !(match[1]! in found)) found[match[1]!] = match[2]!;
  }
  return found;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** Every image of a batch (the API pages at 200). */
export async function fetchAllImages(batchId: string, signal?: AbortSignal): Promise<Image[]> {
  const pageSize = 200;
  const items: Image[] = [];
  for (let page = 1; ; page++) {
    const body = await unwrap(
      api().GET("/batches/{batch_id}/images", {
        params: { path: { batch_id: batchId }, query: { page, page_size: pageSize } },
        signal,
      }),
    );
    items.push(...body.items);
    if (items.length >= body.total || body.items.length === 0) return items;
  }
}

/** Downloads an authenticated response (e.g. the manifest) as a file. */
export async function downloadWithAuth(path: string, filename: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${runtimeConfig().apiUrl}${path}`, { credentials: "include" });
  } catch {
    throw new ApiError(0, "network_error", NETWORK_DETAIL);
  }
  if (response.status === 401) reportUnauthorized();
  if (!response.ok) throw errorFrom(response.status, await response.json().catch(() => null));
  saveBlob(await response.blob(), filename);
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  clickLink(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Starts the download of a (cross-origin, presigned) URL in a hidden frame, so a link that
 * turns out dead shows its error there instead of taking the person out of the app. A
 * download commits no document and fires no `load`; an error page does: resolves "failed"
 * when the frame loads within `watchMs`, else "started".
 */
export function downloadInFrame(url: string, watchMs = 8000): Promise<"started" | "failed"> {
  return new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.title = "download";
    let settled = false;
    const settle = (outcome: "started" | "failed") => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      setTimeout(() => frame.remove(), outcome === "failed" ? 0 : 60_000);
    };
    frame.addEventListener("load", () => settle("failed"));
    setTimeout(() => settle("started"), watchMs);
    frame.src = url;
    document.body.appendChild(frame);
  });
}

export function clickLink(url: string, filename?: string): void {
  const link = document.createElement("a");
  link.href = url;
  if (filename) link.download = filename;
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
}
