import type { Metadata } from "next";
import { Suspense } from "react";

import { ResetPassword } from "@/components/AccountLinks";

export const metadata: Metadata = { title: "Choose a new password" };

export default function Page() {
  return (
    <Suspense>
      <ResetPassword />
    </Suspense>
  );
}
