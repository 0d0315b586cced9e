/** Small accessible building blocks shared by the pages. */
import { useId, type ReactNode } from "react";
import { AmountError, formatSesh, parseSesh } from "../../src/token/amounts";

/** A labelled SESH amount field: exact parsing (9 decimals), the reason shown under it, an optional Max. */
export function AmountField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  max?: bigint;
  onMax?(): void;
  hint?: ReactNode;
  name?: string;
}) {
  const id = useId();
  let problem: string | null = null;
  if (props.value.trim() !== "") {
    try {
      parseSesh(props.value, { max: props.max });
    } catch (error) {
      problem = error instanceof AmountError ? error.message : String(error);
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="amount-row">
        <input
          id={id}
          name={props.name}
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          value={props.value}
          aria-invalid={problem !== null}
          aria-describedby={`${id}-hint ${id}-problem`}
          onChange={(e) => props.onChange(e.target.value)}
        />
        <span className="unit">SESH</span>
        {props.onMax !== undefined && (
          <button type="button" onClick={props.onMax}>
            Max
          </button>
        )}
      </div>
      <p id={`${id}-hint`} className="hint">
        {props.hint}
        {props.max !== undefined && <> Up to {formatSesh(props.max)} SESH.</>}
      </p>
      <p id={`${id}-problem`} className="problem" role={problem === null ? undefined : "alert"}>
        {problem}
      </p>
    </div>
  );
}

export function TextField(props: { label: string; value: string; onChange(value: string): void; hint?: ReactNode; placeholder?: string; name?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        autoComplete="off"
        spellCheck={false}
        value={props.value}
        placeholder={props.placeholder}
        aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint !== undefined && (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

export const Sesh = ({ atomic }: { atomic: bigint }) => <span className="sesh">{formatSesh(atomic)} SESH</span>;
