import type { Metadata } from "next";
import { Suspense } from "react";

import { AcceptInvitation } from "@/components/organization/AcceptInvitation";

export const metadata: Metadata = { title: "Join an organization" };

export default function AcceptInvitationPage() {
  return (
    <Suspense>
      <AcceptInvitation />
    </Suspense>
  );
}
