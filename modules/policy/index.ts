export {
  type AppliedSuppression,
  evaluate,
  type Finding,
  formatReport,
  PolicySynthesizer,
  type PolicyOptions,
  type PolicyReport,
  type Rule,
  suppress,
} from "./engine";
export { ALL_RULES } from "./rules";
