"use client";

// Data read from the API when a component mounts (and again on `reload`), with the error's
// sentence when the read fails. `setData` applies local changes (a created or removed row).
import { useCallback, useEffect, useState } from "react";

import { messageOf } from "@/api/client";

export type Resource<T> = {
  data: T | null;
  error: string | null;
  setData: (update: (data: T | null) => T | null) => void;
  reload: () => void;
};

/** `fetcher` must be stable (useCallback): a new function reads again. */
export function useResource<T>(fetcher: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let current = true;
    fetcher().then(
      (data) => {
        if (current) setState({ data, error: null });
      },
      (cause: unknown) => {
        if (current) setState((previous) => ({ data: previous.data, error: messageOf(cause) }));
      },
    );
    return () => {
      current = false;
    };
  }, [fetcher, version]);

  const setData = useCallback(
    (update: (data: T | null) => T | null) => setState((previous) => ({ ...previous, data: update(previous.data) })),
    [],
  );
  const reload = useCallback(() => setVersion((n) => n + 1), []);
  return { ...state, setData, reload };
}
