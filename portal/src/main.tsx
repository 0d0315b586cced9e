import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";
import { App } from "./App";
import { loadConfig } from "./config";
import { ConfigContext } from "./portal";
import { wagmiConfig } from "./wallet";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
const queries = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 2_000 } } });

loadConfig().then(
  (config) => {
    root.render(
      <StrictMode>
        <ConfigContext.Provider value={config}>
          <WagmiProvider config={wagmiConfig(config)}>
            <QueryClientProvider client={queries}>
              <App />
            </QueryClientProvider>
          </WagmiProvider>
        </ConfigContext.Provider>
      </StrictMode>,
    );
    performance.mark("portal:rendered");
  },
  (error: unknown) => {
    root.render(
      <main className="fatal" role="alert">
        <h1>The portal cannot start</h1>
        <p>{(error as Error).message}</p>
      </main>,
    );
  },
);
