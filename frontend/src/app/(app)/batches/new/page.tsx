import type { Metadata } from "next";

import { NewBatchForm } from "@/components/NewBatchForm";

export const metadata: Metadata = { title: "New batch" };

export default function NewBatchPage() {
  return <NewBatchForm />;
}
