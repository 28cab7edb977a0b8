export { type CostDelta, costDelta, programDelta } from "./delta";
export { CostInputError, constructPaths, planSides, synthesizedInputs } from "./inputs";
export { HOURS_PER_MONTH } from "./line-items";
export { MissingPriceError, PriceTable, PriceTableError } from "./prices";
export { estimateProgram } from "./program";
export { formatDeltas, formatReport, priceSummary } from "./report";
export { ScheduleError } from "./schedule";
export { seedComparison } from "./seed";
export { noUsage, parseUsage, UsageError, usageOnly } from "./usage";
