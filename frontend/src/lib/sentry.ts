// Sentry for the web app: one set of options for the browser (instrumentation-client.ts) and
// the Next.js server (instrumentation.ts). Everything comes from the environment of `next start`
// at run time, like the service URLs (lib/config.ts): one build serves every deployment.
//
//   NEXT_PUBLIC_SENTRY_DSN                 off when unset (nothing is initialised, nothing sent)
//   NEXT_PUBLIC_SENTRY_ENVIRONMENT         else RENAMER_ENVIRONMENT, else NODE_ENV
//   NEXT_PUBLIC_SENTRY_RELEASE             else RENAMER_RELEASE (the git revision in the image), else "dev"
//   NEXT_PUBLIC_SENTRY_ERROR_SAMPLE_RATE   share of errors sent, 1.0
//   NEXT_PUBLIC_SENTRY_TRACES_SAMPLE_RATE  share of page loads traced, 0.0
//
// The server renders the browser's part into the page (the `sentry` key of the runtime
// config script, see lib/server-config.ts); the browser reads it back before hydration.

import type { ErrorEvent } from "@sentry/nextjs";

import { CONFIG_ELEMENT_ID } from "./config";

export type SentryRuntimeConfig = {
  dsn: string;
  environment: string;
  release: string;
  errorSampleRate: number;
  tracesSampleRate: number;
};

// Computed keys: Next inlines `process.env.NEXT_PUBLIC_*` member expressions at build time.
function env(...names: string[]): string | undefined {
  for (const name of names) {
    const value = process.env[name];
    if (value && value.trim()) return value.trim();
  }
  return undefined;
}

function rate(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : fallback;
}

/** On the server: the settings from the environment (the DSN is empty when Sentry is off). */
export function sentryConfigFromEnv(): SentryRuntimeConfig {
  return {
    dsn: env("NEXT_PUBLIC_SENTRY_DSN") ?? "",
    environment: env("NEXT_PUBLIC_SENTRY_ENVIRONMENT", "RENAMER_ENVIRONMENT", "NODE_ENV") ?? "production",
    release: env("NEXT_PUBLIC_SENTRY_RELEASE", "RENAMER_RELEASE") ?? "dev",
    errorSampleRate: rate(env("NEXT_PUBLIC_SENTRY_ERROR_SAMPLE_RATE"), 1),
    tracesSampleRate: rate(env("NEXT_PUBLIC_SENTRY_TRACES_SAMPLE_RATE"), 0),
  };
}

/** The part of the runtime config script the browser needs (nothing at all when Sentry is off). */
export function sentryRuntimeConfig(): { sentry?: SentryRuntimeConfig } {
  const config = sentryConfigFromEnv();
  return config.dsn ? { sentry: config } : {};
}

/** In the browser: what the server rendered into the page, or null when Sentry is off. */
export function sentryConfigFromPage(): SentryRuntimeConfig | null {
  const text = typeof document === "undefined" ? null : document.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return null;
  try {
    const sentry = (JSON.parse(text) as { sentry?: SentryRuntimeConfig }).sentry;
    return sentry?.dsn ? sentry : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------- scrubbing

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const JWT = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g; // access tokens
const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;
const API_KEY = /\brk_[A-Za-z0-9_-]{8,}/g;
// Credentials in URLs and forms: verification and reset links carry ?token=..., OIDC ?code=...
const SECRET_PARAM =
  /([?&#;]|\b)((?:access_|refresh_|id_|csrf_?|reset_|verify_)?token|code|password|secret|api_?key|session)=[^&#\s"',;]*/gi;
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|session|api_?key|email|csrf/i;

/** A string with emails, tokens and credentials in URLs replaced. */
export function scrubText(text: string): string {
  return text
    .replace(JWT, "[token]")
    .replace(BEARER, "$1[token]")
    .replace(API_KEY, "[api-key]")
    .replace(SECRET_PARAM, "$1$2=[filtered]")
    .replace(EMAIL, "[email]");
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubText(value);
  if (depth > 12 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    result[key] = SECRET_KEY.test(key) && typeof item !== "object" ? "[filtered]" : scrubValue(item, depth + 1);
  }
  return result;
}

/** beforeSend: no cookies, headers, bodies or user details leave, and no email or token
 * anywhere in the event (messages, exception values, breadcrumbs, URLs, extra data). */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    delete event.request.cookies;
    delete event.request.data;
    delete event.request.headers;
  }
  if (event.user) event.user = event.user.id ? { id: event.user.id } : {};
  return scrubValue(event, 0) as ErrorEvent;
}

/** Options shared by the browser and the server SDK. */
export function sentryOptions(config: SentryRuntimeConfig) {
  return {
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    sampleRate: config.errorSampleRate,
    tracesSampleRate: config.tracesSampleRate,
    sendDefaultPii: false,
    initialScope: { tags: { service: "frontend" } },
    beforeSend: scrubEvent,
  };
}
