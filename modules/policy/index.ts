export {
  evaluate,
  type Finding,
  formatReport,
  PolicySynthesizer,
  type PolicyReport,
  type Rule,
  suppress,
} from "./engine";
export { ALL_RULES } from "./rules";
