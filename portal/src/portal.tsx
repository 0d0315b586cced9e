/**
 * The loaded network config for every component, and small shared hooks. No wagmi or viem here: the first
 * page renders before the wallet layer (client.tsx, walletRoot.tsx) has loaded.
 */
import { createContext, useContext, useEffect, useState } from "react";
import type { PortalConfig } from "./config";

export const ConfigContext = createContext<PortalConfig | null>(null);

export function usePortalConfig(): PortalConfig {
  const config = useContext(ConfigContext);
  if (config === null) throw new Error("usePortalConfig outside <ConfigContext>");
  return config;
}

/** Unix seconds, ticking every second (for countdowns). */
export function useNow(): bigint {
  const [now, setNow] = useState(() => BigInt(Math.floor(Date.now() / 1000)));
  useEffect(() => {
    const timer = setInterval(() => setNow(BigInt(Math.floor(Date.now() / 1000))), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** 93784 → "1 d 2 h 3 min 4 s". */
export function formatDuration(seconds: bigint): string {
  if (seconds <= 0n) return "now";
  const d = seconds / 86_400n;
  const h = (seconds % 86_400n) / 3_600n;
  const m = (seconds % 3_600n) / 60n;
  const s = seconds % 60n;
  const parts = [d > 0n ? `${d} d` : "", h > 0n ? `${h} h` : "", m > 0n ? `${m} min` : "", d === 0n && s > 0n ? `${s} s` : ""];
  return parts.filter(Boolean).join(" ");
}

export const formatTime = (unix: bigint | string | number): string => new Date(Number(unix) * 1000).toLocaleString();

export const short = (address: string): string => `${address.slice(0, 6)}…${address.slice(-4)}`;
