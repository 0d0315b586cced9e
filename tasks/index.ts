/** Registers every task; hardhat.config.ts imports this file. One file per contract (or user role). */
import "./deploy";
import "./SESH";
import "./RewardRatePool";
import "./ServiceNodeRewards";
import "./ServiceNodeContributionFactory";
import "./ServiceNodeContribution";
import "./devnet";
import "./tracker";
import "./network";
import "./SessionNameService";

import { installCliErrorHandling } from "./lib/cliErrors";
installCliErrorHandling();
