/** Connect (any EIP-6963 wallet), the account, and the wrong-network prompt with one-click switch/add. */
import { useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { describeProblem } from "./errors";
import { usePortal } from "./client";
import { short } from "./portal";

export default function WalletBar() {
  const { config } = usePortal();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switchChain = useSwitchChain();
  const [message, setMessage] = useState<string | null>(null);

  const failed = (error: unknown) => setMessage(describeProblem(error).message);

  if (connection.status !== "connected" || connection.address === undefined) {
    return (
      <div className="wallet" aria-label="Wallet">
        {connectors.length === 0 ? (
          <p className="hint">No browser wallet found. Install one (MetaMask, Rabby, …) and reload: it announces itself to this page.</p>
        ) : (
          <div className="connectors">
            {connectors.map((connector) => (
              <button
                key={connector.uid}
                type="button"
                disabled={connect.isPending}
                onClick={() => {
                  setMessage(null);
                  connect.mutate({ connector }, { onError: failed });
                }}
              >
                Connect {connector.name}
              </button>
            ))}
          </div>
        )}
        {message !== null && <p className="problem" role="alert">{message}</p>}
      </div>
    );
  }

  const wrongChain = connection.chainId !== config.chainId;
  return (
    <div className="wallet" aria-label="Wallet">
      <span className="account" title={connection.address} data-address={connection.address}>
        {short(connection.address)}
      </span>
      <button type="button" className="link" onClick={() => disconnect.mutate()}>
        Disconnect
      </button>
      {wrongChain && (
        <div className="wrong-chain" role="alert">
          <p>
            Your wallet is on network {connection.chainId}; this portal works on <strong>{config.chainName}</strong> ({config.chainId}).
          </p>
          <button
            type="button"
            disabled={switchChain.isPending}
            onClick={() => {
              setMessage(null);
              switchChain.mutate({ chainId: config.chainId }, { onError: failed });
            }}
          >
            Switch to {config.chainName}
          </button>
        </div>
      )}
      {message !== null && <p className="problem" role="alert">{message}</p>}
    </div>
  );
}
