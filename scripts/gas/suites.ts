import { GasSuite } from "./types";
import { namesSuite } from "./names";

/** Every gas suite `npm run bench:gas` runs, in order. Add a suite here to get a snapshot file. */
export const suites: GasSuite[] = [namesSuite];
