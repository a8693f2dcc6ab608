"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { shouldRetry } from "./lib/api";

export function Providers({ children }: { children: React.ReactNode }) {
  // One client per browser tab (useState, not a module global, so server renders never share one).
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            retry: shouldRetry,
            staleTime: 10_000,
            // The live socket keeps data fresh; focus refetches would only add load.
            refetchOnWindowFocus: false,
          },
        },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
