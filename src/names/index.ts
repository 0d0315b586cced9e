/** Session Name Service TypeScript client. */
export * from "./normalise";
export * from "./hash";
export * from "./values";
export * from "./crypto";
export * from "./records";
export * from "./commitment";
export * from "./abi";
export * from "./sessionKey";
export * from "./client";
