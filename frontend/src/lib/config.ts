// Runtime configuration. The root layout (a server component) renders the service URLs
// into <script id="renamer-env" type="application/json"> on every request, so one build
// runs against any API/realtime address: set NEXT_PUBLIC_API_URL and
// NEXT_PUBLIC_REALTIME_URL (and NEXT_PUBLIC_OIDC_PROVIDER_NAME) when starting `next start`,
// not when building.

export type RuntimeConfig = {
  apiUrl: string;
  realtimeUrl: string;
  /** The OpenID Connect provider's name for "Sign in with …" (NEXT_PUBLIC_OIDC_PROVIDER_NAME);
   * empty: the API has no provider configured, so the button is not shown. Rendered by the
   * login and signup pages on the server. */
  oidcProviderName: string;
};

export const DEFAULT_CONFIG: RuntimeConfig = {
  apiUrl: "http://127.0.0.1:3001",
  realtimeUrl: "http://127.0.0.1:3002",
  oidcProviderName: "",
};

export const CONFIG_ELEMENT_ID = "renamer-env";

let cached: RuntimeConfig | null = null;

export function runtimeConfig(): RuntimeConfig {
  if (cached) return cached;
  let injected: Partial<RuntimeConfig> = {};
  if (typeof document !== "undefined") {
    const element = document.getElementById(CONFIG_ELEMENT_ID);
    try {
      injected = element?.textContent ? (JSON.parse(element.textContent) as Partial<RuntimeConfig>) : {};
    } catch {
      injected = {};
    }
  }
  cached = {
    apiUrl: trimSlash(injected.apiUrl || DEFAULT_CONFIG.apiUrl),
    realtimeUrl: trimSlash(injected.realtimeUrl || DEFAULT_CONFIG.realtimeUrl),
    oidcProviderName: (injected.oidcProviderName ?? DEFAULT_CONFIG.oidcProviderName).trim(),
  };
  return cached;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
