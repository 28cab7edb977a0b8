import type { Rule } from "../engine";
import { auditRules } from "./audit";
import { computeRules } from "./compute";
import { cacheRules, databaseRules } from "./data";
import { deprecationRules } from "./deprecations";
import { ecsRules } from "./ecs";
import { iamRules } from "./iam";
import { loadBalancingRules } from "./load-balancing";
import { networkRules } from "./network";
import { platformRules } from "./platform";
import { secretRules } from "./secrets";
import { storageRules } from "./storage";
import { supplyChainRules } from "./supply-chain";

/** Every rule of the policy pack, by capability. */
export const ALL_RULES: readonly Rule[] = [
  ...networkRules,
  ...loadBalancingRules,
  ...ecsRules,
  ...computeRules,
  ...databaseRules,
  ...cacheRules,
  ...storageRules,
  ...iamRules,
  ...platformRules,
  ...secretRules,
  ...auditRules,
  ...supplyChainRules,
  ...deprecationRules,
];
