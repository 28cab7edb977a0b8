export { type AppliedSuppression, evaluate, type Finding, formatReport, PolicyAspect, type PolicyOptions, type PolicyReport, type Rule, suppress } from "./engine";
export { ALL_RULES } from "./rules";
