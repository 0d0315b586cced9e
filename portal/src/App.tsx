import { lazy, Suspense, useLayoutEffect, useRef, type ReactNode, type RefObject } from "react";
import { usePortalConfig } from "./portal";
import { useRoute, type Route } from "./route";
import { BRAND, LOADING_WALLET, NAV } from "./shell";
import { NetworkPage } from "./pages/Network";

// The first page needs only React, TanStack Query and the tracker: it renders at once, while the wallet
// layer (wagmi, viem) and every other page load on demand.
const WalletRoot = lazy(() => import("./walletRoot"));
const WalletBar = lazy(() => import("./WalletBar"));
const PoolsPage = lazy(() => import("./pages/Pools"));
const PoolPage = lazy(() => import("./pages/Pool"));
const StakesPage = lazy(() => import("./pages/Stakes"));
const RegisterPage = lazy(() => import("./pages/Register"));
const NamesPage = lazy(() => import("./pages/Names"));
const NamePage = lazy(() => import("./pages/Name"));


function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "network":
      return <NetworkPage />;
    case "pools":
      return <PoolsPage />;
    case "pool":
      return <PoolPage address={route.address} />;
    case "stakes":
      return <StakesPage />;
    case "register":
      return <RegisterPage />;
    case "names":
      return <NamesPage />;
    case "name":
      return <NamePage name={route.name} />;
  }
}

function Shell({ route, main, wallet, children }: { route: Route; main: RefObject<HTMLElement | null>; wallet: ReactNode; children: ReactNode }) {
  const config = usePortalConfig();
  const current = route.page === "pool" ? "pools" : route.page === "name" ? "names" : route.page;
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header>
        <div className="brand">
          <strong>{BRAND}</strong> <span className="net" data-chain-id={config.chainId}>{config.chainName}</span>
        </div>
        <nav aria-label="Pages">
          {NAV.map((item) => (
            <a key={item.page} href={item.to} aria-current={current === item.page ? "page" : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        {wallet}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

const loading = <p className="loading">Loading…</p>;

export function App() {
  const config = usePortalConfig();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // A layout effect runs at the commit itself (a passive effect may wait for a later frame on a busy host).
  useLayoutEffect(() => {
    // The first commit of the page (bench:portal reads this mark).
    if (first.current) performance.mark("portal:first-render");
    // Moving between pages moves focus to the new page's content (keyboard and screen-reader users).
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [route]);
  // Until the wallet layer is in, the network page shows (it needs no wallet); other pages wait for it.
  const waiting = (
    <Shell route={route} main={main} wallet={<div className="wallet" aria-label="Wallet"><span className="hint">{LOADING_WALLET}</span></div>}>
      {route.page === "network" ? <NetworkPage /> : loading}
    </Shell>
  );
  return (
    <Suspense fallback={waiting}>
      <WalletRoot config={config}>
        <Shell route={route} main={main} wallet={<Suspense fallback={null}><WalletBar /></Suspense>}>
          <Suspense fallback={loading}>
            <Page route={route} />
          </Suspense>
        </Shell>
      </WalletRoot>
    </Suspense>
  );
}
