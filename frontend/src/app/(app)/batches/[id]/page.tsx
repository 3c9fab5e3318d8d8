import type { Metadata } from "next";

import { BatchWorkspace } from "@/components/BatchWorkspace";

export const metadata: Metadata = { title: "Batch" };

export default function BatchPage() {
  return <BatchWorkspace />;
}
