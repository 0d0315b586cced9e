import { GasSuite } from "./types";
import { blsSuite } from "./bls";
import { namesSuite } from "./names";
import { serviceNodeContributionSuite } from "./serviceNodeContribution";
import { serviceNodeRewardsSuite } from "./serviceNodeRewards";
import { tokenSuite } from "./token";

/** Every gas suite `npm run bench:gas` runs, in order. Add a suite here to get a snapshot file. */
export const suites: GasSuite[] = [blsSuite, tokenSuite, serviceNodeRewardsSuite, serviceNodeContributionSuite, namesSuite];
