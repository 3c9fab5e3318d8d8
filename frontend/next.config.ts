import { withSentryConfig } from "@sentry/nextjs/config";
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Thumbnails are object URLs and presigned S3 links: nothing for the image optimizer to do.
  images: { unoptimized: true },
  turbopack: { root: import.meta.dirname },
};

// Sentry's build step with nothing that needs the network: no source map upload, no release
// created in Sentry, no telemetry. The DSN, release and environment are read when the app
// starts (src/lib/sentry.ts), so one build serves every deployment.
export default withSentryConfig(nextConfig, {
  silent: true,
  telemetry: false,
  sourcemaps: { disable: true },
  release: { create: false, finalize: false },
});
