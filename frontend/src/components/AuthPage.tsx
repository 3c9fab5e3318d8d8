import { connection } from "next/server";
import { Suspense } from "react";

import { AuthForm } from "@/components/AuthForm";
import { serverRuntimeConfig } from "@/lib/server-config";

/** The log-in and sign-up pages (a server component): the form, with the sign-in provider
 * this server is configured for. */
export async function AuthPage({ mode }: { mode: "login" | "signup" }) {
  await connection(); // the provider comes from the environment of this server, per request
  const config = serverRuntimeConfig();
  const provider = config.oidcProviderName
    ? { name: config.oidcProviderName, loginUrl: `${config.apiUrl}/auth/oidc/login` }
    : null;
  return (
    <Suspense>
      <AuthForm mode={mode} provider={provider} />
    </Suspense>
  );
}
