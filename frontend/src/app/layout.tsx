import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";

import { CONFIG_ELEMENT_ID } from "@/lib/config";
import { serverRuntimeConfig } from "@/lib/server-config";

import "./globals.css";
import "./accounts.css";

export const metadata: Metadata = {
  title: { template: "%s · Image Renamer", default: "Image Renamer" },
  description: "SEO-ready filenames and alt text for whole batches of images.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#4f46e5",
};

/** The service URLs of this deployment, read from the environment at request time. */
async function RuntimeConfigScript() {
  await connection(); // render per request, never at build time
  const json = JSON.stringify(serverRuntimeConfig()).replace(/</g, "\\u003c");
  return <script id={CONFIG_ELEMENT_ID} type="application/json" dangerouslySetInnerHTML={{ __html: json }} />;
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <RuntimeConfigScript />
      </head>
      <body>{children}</body>
    </html>
  );
}
