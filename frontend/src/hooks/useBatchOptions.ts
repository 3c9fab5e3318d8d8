"use client";

import { useEffect, useState } from "react";

import { api, messageOf, unwrap } from "@/api/client";
import type { BatchOptionsCatalog } from "@/lib/batchOptions";

// What this deployment offers changes only with its configuration: one request per page load.
let pending: Promise<BatchOptionsCatalog> | null = null;

export function useBatchOptions(): { catalog: BatchOptionsCatalog | null; error: string | null } {
  const [state, setState] = useState<{ catalog: BatchOptionsCatalog | null; error: string | null }>({
    catalog: null,
    error: null,
  });
  useEffect(() => {
    let current = true;
    pending ??= unwrap(api().GET("/options"));
    pending.then(
      (catalog) => current && setState({ catalog, error: null }),
      (cause) => {
        pending = null; // the next page that needs it asks again
        if (current) setState({ catalog: null, error: messageOf(cause) });
      },
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}
