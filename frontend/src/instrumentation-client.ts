// Sentry in the browser, before React hydrates. Off unless the server rendered a DSN into the
// page (NEXT_PUBLIC_SENTRY_DSN on `next start`; see lib/sentry.ts).
import * as Sentry from "@sentry/nextjs";

import { scrubText, sentryConfigFromPage, sentryOptions } from "@/lib/sentry";

const config = sentryConfigFromPage();
if (config) {
  Sentry.init({
    ...sentryOptions(config),
    // Breadcrumbs carry URLs and console lines; they are scrubbed again with the event.
    beforeBreadcrumb(breadcrumb) {
      if (breadcrumb.message) breadcrumb.message = scrubText(breadcrumb.message);
      return breadcrumb;
    },
  });
}

export const onRouterTransitionStart = Sentry.captureRouterTransitionStart;
