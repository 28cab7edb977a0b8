import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";

/**
 * The security findings people must hear of, as EventBridge patterns: GuardDuty
 * findings of high severity (7.0 and above, GuardDuty User Guide "Severity
 * levels of GuardDuty findings") and active IAM Access Analyzer findings
 * (a resource shared outside the account).
 */
export const SECURITY_FINDING_PATTERNS = {
  guardduty: { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [{ numeric: [">=", 7] }] } },
  "access-analyzer": { source: ["aws.access-analyzer"], "detail-type": ["Access Analyzer Finding"], detail: { status: ["ACTIVE"] } },
} as const;

export interface SecurityFindingsProps {
  /** Prefix of the rule names, e.g. the stack's. */
  readonly name: string;
  /** The critical alarm topic (AlarmTopics: its policy and key admit this account's EventBridge rules). */
  readonly topicArn: string;
}

/** Sends this region's security findings (the account baseline's GuardDuty and Access Analyzer) to the critical alarm topic. */
export class SecurityFindings extends Construct {
  readonly rules: readonly CloudwatchEventRule[];

  constructor(scope: Construct, id: string, props: SecurityFindingsProps) {
    super(scope, id);
    this.rules = Object.entries(SECURITY_FINDING_PATTERNS).map(([source, pattern]) => {
      const rule = new CloudwatchEventRule(this, source, {
        name: `${props.name}-${source}-findings`,
        description: `${source} findings to the critical alarm topic`,
        eventPattern: JSON.stringify(pattern),
      });
      new CloudwatchEventTarget(this, `${source}-to-topic`, { rule: rule.name, arn: props.topicArn, targetId: "critical-alarms" });
      return rule;
    });
    ComponentTags.apply(this, "observability");
  }
}
