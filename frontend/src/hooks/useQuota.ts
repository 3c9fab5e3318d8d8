"use client";

// The organization's monthly image quota (GET /billing's usage), for the upload flow.
import { useCallback, useEffect, useState } from "react";

import { api, unwrap, type Usage } from "@/api/client";

/** Unknown (null) when it cannot be read: uploads then go ahead and each file's verdict says the rest. */
function readUsage(): Promise<Usage | null> {
  return unwrap(api().GET("/billing")).then(
    (billing) => billing.usage,
    () => null,
  );
}

export function useQuota(): { usage: Usage | null; refresh: () => Promise<Usage | null> } {
  const [usage, setUsage] = useState<Usage | null>(null);

  const refresh = useCallback(
    () =>
      readUsage().then((read) => {
        if (read) setUsage(read);
        return read;
      }),
    [],
  );

  useEffect(() => {
    let live = true;
    readUsage().then((read) => {
      if (live && read) setUsage(read);
    });
    return () => {
      live = false;
    };
  }, []);

  return { usage, refresh };
}

/** "48 of 50 images used this month; 2 more fit." */
export function quotaSentence(used: number, limit: number, fits: number): string {
  const more = fits > 0 ? `${fits.toLocaleString()} more ${fits === 1 ? "fits" : "fit"}` : "no more fit this month";
  return `${used.toLocaleString()} of ${limit.toLocaleString()} images used this month; ${more}.`;
}
