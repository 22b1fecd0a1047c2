/** The egress proxy and its policy: docs/network.md. */
export { checkAllowEntry } from "./allowlist.js";
export type { DecisionInput, EgressPolicy, EgressRule, Verdict } from "./decide.js";
export { decide } from "./decide.js";
export { proxyEnv } from "./env.js";
export { identifyPeer } from "./identify.js";
export type { Decision, ProxyOptions } from "./proxy.js";
export { EgressProxy } from "./proxy.js";
