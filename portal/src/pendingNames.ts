/**
 * Registrations between commit and reveal, kept only in this browser (localStorage): the secret never leaves
 * it, and a reload resumes the countdown where it was.
 */
import type { Address, Hex } from "viem";

export interface PendingRegistration {
  readonly chainId: number;
  readonly names: Address;
  readonly name: string;
  readonly owner: Address;
  readonly years: string;
  readonly secret: Hex;
  readonly commitment: Hex;
  /** Chain time of the commit block (unix seconds), once it is mined. */
  readonly committedAt: string | null;
}

const KEY = "session-portal:pending-registrations";

function readAll(): PendingRegistration[] {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "[]") as unknown;
    return Array.isArray(value) ? (value as PendingRegistration[]) : [];
  } catch {
    return [];
  }
}

export function pendingRegistrations(chainId: number, names: Address): PendingRegistration[] {
  return readAll().filter((p) => p.chainId === chainId && p.names.toLowerCase() === names.toLowerCase());
}

export function savePending(p: PendingRegistration): void {
  const others = readAll().filter((x) => !(x.chainId === p.chainId && x.names === p.names && x.name === p.name));
  localStorage.setItem(KEY, JSON.stringify([...others, p]));
}

export function dropPending(p: Pick<PendingRegistration, "chainId" | "names" | "name">): void {
  localStorage.setItem(KEY, JSON.stringify(readAll().filter((x) => !(x.chainId === p.chainId && x.names === p.names && x.name === p.name))));
}
