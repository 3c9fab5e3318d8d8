// Sentry on the Next.js server (server components, route handlers, rendering errors). Off
// unless NEXT_PUBLIC_SENTRY_DSN is set where `next start` runs; see lib/sentry.ts.
import * as Sentry from "@sentry/nextjs";

import { sentryConfigFromEnv, sentryOptions } from "@/lib/sentry";

export async function register(): Promise<void> {
  const config = sentryConfigFromEnv();
  if (config.dsn) Sentry.init(sentryOptions(config));
}

export const onRequestError = Sentry.captureRequestError;
