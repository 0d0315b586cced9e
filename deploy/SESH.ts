/** Deploy module: the SESH token (fixed supply, minted once to the receiver). */
import { deployContractOnce } from "./lib";
import type { DeployModule } from "./types";

export const seshModule: DeployModule = {
  name: "SESH",
  dependsOn: [],
  async deploy(ctx) {
    await deployContractOnce(ctx, "SESH", [ctx.seshReceiver]);
  },
};
