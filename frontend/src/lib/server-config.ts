import { DEFAULT_CONFIG, type RuntimeConfig } from "./config";
import { sentryRuntimeConfig } from "./sentry";

// Read with a computed key on purpose: Next inlines `process.env.NEXT_PUBLIC_*` member
// expressions at build time, and these must come from the environment of `next start`.
function env(name: string): string | undefined {
  const value = process.env[name];
  return value && value.trim() ? value.trim() : undefined;
}

export function serverRuntimeConfig(): RuntimeConfig {
  return {
    apiUrl: env("NEXT_PUBLIC_API_URL") ?? DEFAULT_CONFIG.apiUrl,
    realtimeUrl: env("NEXT_PUBLIC_REALTIME_URL") ?? DEFAULT_CONFIG.realtimeUrl,
    oidcProviderName: env("NEXT_PUBLIC_OIDC_PROVIDER_NAME") ?? DEFAULT_CONFIG.oidcProviderName,
    // The browser's Sentry settings (none when NEXT_PUBLIC_SENTRY_DSN is unset); src/lib/sentry.ts.
    ...sentryRuntimeConfig(),
  };
}
