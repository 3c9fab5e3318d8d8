import type { Metadata } from "next";
import { connection } from "next/server";
import { Suspense } from "react";

import { AuthForm } from "@/components/AuthForm";
import { serverRuntimeConfig } from "@/lib/server-config";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage() {
  await connection(); // the provider comes from the environment of this server, per request
  const config = serverRuntimeConfig();
  const provider = config.oidcProviderName
    ? { name: config.oidcProviderName, loginUrl: `${config.apiUrl}/auth/oidc/login` }
    : null;
  return (
    <Suspense>
      <AuthForm mode="login" provider={provider} />
    </Suspense>
  );
}
