import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { EncryptionKey } from "../kms";

/** How urgent an alarm is; each severity notifies its own topic. */
export type Severity = "critical" | "warning";
const SEVERITIES: readonly Severity[] = ["critical", "warning"];

/**
 * The services that publish to the topics, each for this account's sources
 * only (confused deputy): CloudWatch alarms, EventBridge rules (the security
 * findings, SecurityFindings) and the account's cost budgets (CostBudget),
 * whose ARNs have no region (AWS Cost Management User Guide, "Creating an
 * Amazon SNS topic for budget notifications").
 */
const PUBLISHERS = [
  {
    sid: "CloudWatchAlarmsOfThisAccountPublish",
    service: "cloudwatch.amazonaws.com",
    source: "cloudwatch",
    resource: "alarm:*",
    regional: true,
  },
  { sid: "EventBridgeRulesOfThisAccountPublish", service: "events.amazonaws.com", source: "events", resource: "rule/*", regional: true },
  { sid: "BudgetsOfThisAccountPublish", service: "budgets.amazonaws.com", source: "budgets", resource: "*", regional: false },
] as const;

export interface AlarmTopicsProps {
  /** Prefix of the topics `<name>-critical` and `<name>-warning` and of the key alias `<name>/alarms`. */
  readonly name: string;
  readonly account: AwsAccount;
  /** E-mail addresses subscribed per severity (each confirms by mail). @default - none */
  readonly emails?: { readonly critical?: readonly string[]; readonly warning?: readonly string[] };
  /** Terraform refuses to destroy the topics' key (production). @default false */
  readonly preventKeyDestroy?: boolean;
}

/**
 * The notification topics of the alarms (MON-2), one per severity. Both are
 * encrypted (CKV_AWS_26) with a customer-managed key the construct creates, not
 * one passed in: CloudWatch can publish to an encrypted topic only if the key
 * policy grants it `kms:GenerateDataKey*`/`kms:Decrypt`, and a key made here is
 * known to carry that grant (the AWS-managed `alias/aws/sns` key cannot be
 * granted to CloudWatch at all). The topic policies let CloudWatch alarms of
 * this account only publish, and refuse anything but TLS.
 */
export class AlarmTopics extends Construct {
  readonly key: EncryptionKey;
  readonly critical: SnsTopic;
  readonly warning: SnsTopic;
  /** Topic ARN per severity, for alarm and OK actions. */
  readonly topicArns: Readonly<Record<Severity, string>>;
  readonly subscriptions: SnsTopicSubscription[] = [];

  constructor(scope: Construct, id: string, props: AlarmTopicsProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;
    const { accountId, region, partition } = account;

    this.key = new EncryptionKey(this, "key", {
      alias: `${name}/alarms`,
      description: `Encrypts the alarm notification topics ${name}-critical and ${name}-warning`,
      account,
      allowServicePublishers: PUBLISHERS.map((p) => p.service),
      preventDestroy: props.preventKeyDestroy,
    });

    const topic = (severity: Severity) => {
      const sns = new SnsTopic(this, severity, { name: `${name}-${severity}`, kmsMasterKeyId: this.key.keyArn });
      const policy = new DataAwsIamPolicyDocument(this, `${severity}-policy`, {
        statement: [
          {
            // What the default topic policy grants the owner; an explicit policy replaces the default.
            sid: "AccountManagesTopic",
            principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
            actions: [
              "sns:GetTopicAttributes",
              "sns:SetTopicAttributes",
              "sns:AddPermission",
              "sns:RemovePermission",
              "sns:DeleteTopic",
              "sns:Subscribe",
              "sns:ListSubscriptionsByTopic",
              "sns:Publish",
            ],
            resources: [sns.arn],
          },
          // Confused deputy: only alarms, rules and budgets of this account (and region, where the ARN has one).
          ...PUBLISHERS.map((p) => ({
            sid: p.sid,
            principals: [{ type: "Service", identifiers: [p.service] }],
            actions: ["sns:Publish"],
            resources: [sns.arn],
            condition: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
              {
                test: "ArnLike",
                variable: "aws:SourceArn",
                values: [`arn:${partition}:${p.source}:${p.regional ? region : ""}:${accountId}:${p.resource}`],
              },
            ],
          })),
          {
            sid: "DenyInsecureTransport",
            effect: "Deny",
            principals: [{ type: "*", identifiers: ["*"] }],
            actions: ["sns:Publish"],
            resources: [sns.arn],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ],
      });
      new SnsTopicPolicy(this, `${severity}-topic-policy`, { arn: sns.arn, policy: policy.json });
      (props.emails?.[severity] ?? []).forEach((email, i) => {
        this.subscriptions.push(
          new SnsTopicSubscription(this, `${severity}-email-${i}`, { topicArn: sns.arn, protocol: "email", endpoint: email }),
        );
      });
      return sns;
    };
    this.critical = topic("critical");
    this.warning = topic("warning");
    this.topicArns = { critical: this.critical.arn, warning: this.warning.arn };
    ComponentTags.apply(this, "observability");
  }
}

// A pragmatic address check: one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(id: string, props: AlarmTopicsProps): void {
  const problems: string[] = [];
  // SNS topic names: 1-256 letters, digits, - or _; "-critical" is the longest suffix.
  // The name is also the key alias prefix, which allows the same characters.
  if (!/^[A-Za-z0-9_-]{1,247}$/.test(props.name ?? ""))
    problems.push(`name: "${props.name ?? ""}" must be 1-247 letters, digits, - or _ (SNS topic names, with -critical appended)`);
  for (const severity of SEVERITIES) {
    const emails = props.emails?.[severity] ?? [];
    emails.forEach((email, i) => {
      if (!EMAIL.test(email)) problems.push(`emails.${severity}[${i}]: "${email}" is not an e-mail address`);
      else if (emails.indexOf(email) !== i) problems.push(`emails.${severity}[${i}]: "${email}" is listed twice`);
    });
  }
  refuseProps("AlarmTopics", id, problems);
}
