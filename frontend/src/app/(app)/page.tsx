import type { Metadata } from "next";

import { Dashboard } from "@/components/Dashboard";

export const metadata: Metadata = { title: "Your batches" };

export default function DashboardPage() {
  return <Dashboard />;
}
