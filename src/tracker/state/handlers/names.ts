/** Handlers of the Session Name Service's events. */
import type { Hex } from "viem";
import { nameServiceEventsAbi } from "../../abi";
import type { StateContext } from "../context";
import { EMPTY_NAME_RECORDS, ENTITY, nameKey, parseRecord, serialize, type NameEntry, type TextRecordPresence, type TypedRecordPresence } from "../model";
import { MirrorGapError, ZERO_ADDRESS, asAddress, str, type ContractHandlers, type DecodedEvent, type EventHandler } from "./common";

const TYPED_KINDS: Readonly<Record<number, { field: "session" | "lokinet" | "wallet"; plainBytes: number }>> = {
  1: { field: "session", plainBytes: 32 },
  2: { field: "lokinet", plainBytes: 32 },
  3: { field: "wallet", plainBytes: 20 },
};

const toNamehash = (tokenId: bigint): Hex => `0x${tokenId.toString(16).padStart(64, "0")}` as Hex;
const hexBytes = (value: Hex): number => (value.length - 2) / 2;

async function getName(ctx: StateContext, namehash: Hex): Promise<NameEntry | null> {
  const raw = await ctx.get(ENTITY.name, nameKey(namehash));
  return raw === null ? null : parseRecord<NameEntry>(raw);
}

async function putName(ctx: StateContext, name: NameEntry): Promise<void> {
  await ctx.put(ENTITY.name, nameKey(name.namehash), serialize(name));
}

/** A name event for a namehash the mirror has never seen minted. */
export class UnknownNameError extends MirrorGapError {
  constructor(
    readonly namehash: Hex,
    readonly eventName: string,
    readonly block: bigint,
  ) {
    super(`${eventName} at block ${block} refers to name ${namehash}, which the mirror does not know`);
  }
}

async function requireName(ctx: StateContext, namehash: Hex, event: DecodedEvent): Promise<NameEntry> {
  const name = await getName(ctx, namehash);
  if (name === null) throw new UnknownNameError(namehash, event.eventName, event.blockNumber);
  return name;
}

/** ERC-721 Transfer: a mint (from 0) starts a new registration with empty records; to 0 drops the owner. */
const onNameTransfer: EventHandler = async (ctx, event) => {
  const a = event.args as { from: string; to: string; tokenId: bigint };
  const namehash = toNamehash(a.tokenId);
  const from = asAddress(a.from);
  const to = asAddress(a.to);
  if (from === ZERO_ADDRESS) {
    const previous = await getName(ctx, namehash);
    await putName(ctx, {
      namehash,
      tokenId: a.tokenId.toString(),
      owner: to,
      expiry: null,
      registeredBlock: str(event.blockNumber),
      registeredTimestamp: event.blockTimestamp?.toString() ?? null,
      payer: null,
      fee: null,
      renewals: 0,
      registrations: (previous?.registrations ?? 0) + 1,
      burntBlock: null,
      records: EMPTY_NAME_RECORDS,
    });
    return;
  }
  const name = await requireName(ctx, namehash, event);
  await putName(ctx, { ...name, owner: to === ZERO_ADDRESS ? null : to });
};

const onNameRegistered: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; owner: string; payer: string; expiry: bigint; fee: bigint };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, owner: asAddress(a.owner), expiry: str(a.expiry), payer: asAddress(a.payer), fee: str(a.fee) });
};

const onNameRenewed: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; expiry: bigint };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, expiry: str(a.expiry), renewals: name.renewals + 1 });
};

const onNameBurned: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex };
  const name = await requireName(ctx, a.node, event);
  await putName(ctx, { ...name, owner: null, expiry: null, burntBlock: str(event.blockNumber), records: EMPTY_NAME_RECORDS });
};

const onRecordChanged: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; kind: number; value: Hex };
  const typed = TYPED_KINDS[Number(a.kind)];
  if (!typed) return; // the contract rejects other kinds; nothing to mirror
  const name = await requireName(ctx, a.node, event);
  const bytes = hexBytes(a.value);
  const presence: TypedRecordPresence | null =
    bytes === 0 ? null : { encrypted: bytes !== typed.plainBytes, bytes, value: bytes === typed.plainBytes ? (a.value.toLowerCase() as Hex) : null };
  await putName(ctx, { ...name, records: { ...name.records, [typed.field]: presence } });
};

const onTextChanged: EventHandler = async (ctx, event) => {
  const a = event.args as { node: Hex; key: string; value: Hex };
  const name = await requireName(ctx, a.node, event);
  const bytes = hexBytes(a.value);
  const text: Record<string, TextRecordPresence> = { ...name.records.text };
  if (bytes === 0) delete text[a.key];
  else text[a.key] = { encrypted: a.value.slice(2, 4) === "01", bytes };
  const sorted = Object.fromEntries(Object.keys(text).sort().map((k) => [k, text[k]]));
  await putName(ctx, { ...name, records: { ...name.records, text: sorted } });
};

/** The name service's handlers. */
export function nameServiceHandlers(): ContractHandlers {
  return {
    abi: nameServiceEventsAbi,
    handlers: {
      Transfer: onNameTransfer,
      NameRegistered: onNameRegistered,
      NameRenewed: onNameRenewed,
      NameBurned: onNameBurned,
      RecordChanged: onRecordChanged,
      TextChanged: onTextChanged,
    },
  };
}
