import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";

export interface CostBudgetProps {
  /** The budget's name, unique in the account (1-100 characters, no `:` or `\`). */
  readonly name: string;
  /** The monthly cost limit, USD. */
  readonly monthlyLimitUsd: number;
  /** Where the alerts go: a topic of this account whose policy admits AWS Budgets (AlarmTopics). */
  readonly topicArn: string;
  /** Percentages of the limit at which actual cost alerts. @default [80, 100] */
  readonly actualThresholds?: readonly number[];
  /** Alert when the month is forecast to end above the limit. @default true */
  readonly forecastAlert?: boolean;
  /**
   * Count only costs tagged so, e.g. `{ key: "Environment", value: "dev" }`,
   * where environments share an account. The tag must be activated as a cost
   * allocation tag in the Billing console first.
   * @default - every cost of the account
   */
  readonly tag?: { readonly key: string; readonly value: string };
}

/**
 * A monthly cost budget of the account with its alerts to a topic: actual
 * cost at each threshold (80 % and 100 % by default) and the forecast above
 * the limit. A budget with notifications only costs nothing (AWS Budgets
 * charges for action-enabled budgets beyond two).
 */
export class CostBudget extends Construct {
  readonly budget: BudgetsBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const thresholds = props.actualThresholds ?? [80, 100];
    validate(id, props, thresholds);
    const alert = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
      comparisonOperator: "GREATER_THAN",
      notificationType,
      threshold,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [props.topicArn],
    });
    this.budget = new BudgetsBudget(this, "budget", {
      name: props.name,
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: props.monthlyLimitUsd.toFixed(2),
      limitUnit: "USD",
      costFilter: props.tag ? [{ name: "TagKeyValue", values: [`user:${props.tag.key}$${props.tag.value}`] }] : undefined,
      notification: [...thresholds.map((t) => alert("ACTUAL", t)), ...(props.forecastAlert === false ? [] : [alert("FORECASTED", 100)])],
    });
    ComponentTags.apply(this, "observability");
  }
}

function validate(id: string, props: CostBudgetProps, thresholds: readonly number[]): void {
  const problems: string[] = [];
  // AWS Budgets API Reference, Budget.BudgetName: 1-100 characters, no ":" or "\".
  if (!/^[^:\\]{1,100}$/.test(props.name ?? "")) problems.push(`name: "${props.name ?? ""}" must be 1-100 characters without ":" or "\\"`);
  if (!(Number.isFinite(props.monthlyLimitUsd) && props.monthlyLimitUsd > 0))
    problems.push(`monthlyLimitUsd: ${props.monthlyLimitUsd} must be a number of dollars above 0`);
  thresholds.forEach((t, i) => {
    // AWS Budgets API Reference, Notification.Threshold: 0-1000000000 (a percentage here: above 0).
    if (!(Number.isFinite(t) && t > 0 && t <= 1000))
      problems.push(`actualThresholds[${i}]: ${t} must be a percentage above 0 and at most 1000`);
  });
  if (new Set(thresholds).size !== thresholds.length) problems.push("actualThresholds: a threshold is listed twice");
  refuseProps("CostBudget", id, problems);
}
