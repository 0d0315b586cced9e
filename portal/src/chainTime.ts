/** The chain's clock: the latest block's time, advanced by the wall clock since it was read. */
import { useQuery } from "@tanstack/react-query";
import { usePortal } from "./client";
import { useNow } from "./portal";

export function useChainNow(): bigint | null {
  const { client } = usePortal();
  const wall = useNow();
  const block = useQuery({
    queryKey: ["chain", "latest-block-time"],
    refetchInterval: 2_000,
    queryFn: async () => ({ timestamp: (await client.getBlock()).timestamp, readAt: BigInt(Math.floor(Date.now() / 1000)) }),
  });
  if (block.data === undefined) return null;
  const elapsed = wall - block.data.readAt;
  return block.data.timestamp + (elapsed > 0n ? elapsed : 0n);
}
