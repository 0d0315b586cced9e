import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { embeddedConfig, loadConfig, type PortalConfig } from "./config";
import { ConfigContext } from "./portal";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
const queries = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 2_000 } } });

function start(config: PortalConfig): void {
  root.render(
    <StrictMode>
      <ConfigContext.Provider value={config}>
        <QueryClientProvider client={queries}>
          <App />
        </QueryClientProvider>
      </ConfigContext.Provider>
    </StrictMode>,
  );
}

function fail(error: unknown): void {
  root.render(
    <main className="fatal" role="alert">
      <h1>The portal cannot start</h1>
      <p>{(error as Error).message}</p>
    </main>,
  );
}

// The server embeds the config in index.html, so the first render needs no round trip.
let embedded: PortalConfig | null = null;
try {
  embedded = embeddedConfig();
} catch (error) {
  fail(error);
}
if (embedded !== null) start(embedded);
else loadConfig().then(start, fail);
