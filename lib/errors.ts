import { HardhatPluginError } from "hardhat/plugins";

/** Plugin name under which our task errors print (Hardhat shows them without a stack trace). */
export const PLUGIN = "session-network";

/** A task refused to run: the message says what was wrong and what to change. */
export class TaskError extends HardhatPluginError {
  constructor(message: string, parent?: Error) {
    super(PLUGIN, message, parent);
    // HardhatPluginError pins its own prototype; restore the subclass's so `instanceof` works.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
  }
}

/** A task argument was wrong; `argument` is its name as typed on the command line (e.g. "--amount"). */
export class TaskArgumentError extends TaskError {
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.argument = argument;
  }
}
