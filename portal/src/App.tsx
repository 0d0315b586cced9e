import { lazy, Suspense, useEffect, useRef } from "react";
import { usePortal } from "./portal";
import { href, useRoute, type Route } from "./route";
import { WalletBar } from "./WalletBar";
import { NetworkPage } from "./pages/Network";

// Every page but the first loads on demand, so the first render ships only what it needs.
const PoolsPage = lazy(() => import("./pages/Pools"));
const PoolPage = lazy(() => import("./pages/Pool"));
const StakesPage = lazy(() => import("./pages/Stakes"));
const RegisterPage = lazy(() => import("./pages/Register"));
const NamesPage = lazy(() => import("./pages/Names"));
const NamePage = lazy(() => import("./pages/Name"));

const NAV: readonly { page: Route["page"]; label: string; to: string }[] = [
  { page: "network", label: "Network", to: href("") },
  { page: "pools", label: "Open pools", to: href("pools") },
  { page: "stakes", label: "My stakes", to: href("stakes") },
  { page: "register", label: "Register a node", to: href("register") },
  { page: "names", label: "Names", to: href("names") },
];

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

export function App() {
  const { config } = usePortal();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Moving between pages moves focus to the new page's content (keyboard and screen-reader users).
  useEffect(() => {
    // The first commit of the page (bench:portal reads this mark).
    if (first.current) performance.mark("portal:first-render");
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [route]);
  const current = route.page === "pool" ? "pools" : route.page === "name" ? "names" : route.page;
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header>
        <div className="brand">
          <strong>Session Network</strong> <span className="net" data-chain-id={config.chainId}>{config.chainName}</span>
        </div>
        <nav aria-label="Pages">
          {NAV.map((item) => (
            <a key={item.page} href={item.to} aria-current={current === item.page ? "page" : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <WalletBar />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}
