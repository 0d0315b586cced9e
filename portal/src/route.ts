/** Hash routes (#/pools/0x…): work from any static host and a reload keeps the page. */
import { useEffect, useState } from "react";

export type Route =
  | { readonly page: "network" }
  | { readonly page: "pools" }
  | { readonly page: "pool"; readonly address: string }
  | { readonly page: "stakes" }
  | { readonly page: "register" }
  | { readonly page: "names" }
  | { readonly page: "name"; readonly name: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case "pools":
      return parts[1] !== undefined ? { page: "pool", address: parts[1] } : { page: "pools" };
    case "stakes":
      return { page: "stakes" };
    case "register":
      return { page: "register" };
    case "names":
      return parts[1] !== undefined ? { page: "name", name: parts[1] } : { page: "names" };
    default:
      return { page: "network" };
  }
}

export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join("/")}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
