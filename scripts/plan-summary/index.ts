/** The plan summary renderer of the pull request workflows (PLT-6). */
export { isStatefulType, STATEFUL_RESOURCE_TYPES, summarizePlan, summarizePlanText } from "./summary";
export { GITHUB_COMMENT_LIMIT, PLAN_SUMMARY_MARKER, renderComment } from "./render";
export { main } from "./main";
