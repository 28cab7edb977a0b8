import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { EcrRegistryScanningConfiguration } from "@cdktf/provider-aws/lib/ecr-registry-scanning-configuration";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { serviceTrustPolicy } from "../common/trust";
import { AUDIT_PREFIXES, type AuditArchiveRef, auditKeyAliasArn } from "./audit-archive";
export { AUDIT_PREFIXES, AuditArchive, type AuditArchiveProps, type AuditArchiveRef, auditKeyAlias } from "./audit-archive";

/** The account's multi-region trail: one per account, in its home region's stack. */
interface TrailSettings {
  readonly name: string;
  /**
   * S3 data events (object reads and writes) of the buckets whose names start
   * with these prefixes: the videos buckets, which hold health data.
   * @default - management events only
   */
  readonly dataEventBucketPrefixes?: readonly string[];
}

export interface SecurityBaselineProps {
  /** Prefix of the names, e.g. the stack's. */
  readonly name: string;
  readonly account: AwsAccount;
  /** The archive the trail and the Config recorder deliver to (AuditArchive, in the state account). */
  readonly archive: AuditArchiveRef;
  /** With the account's trail (its home region). @default - no trail here */
  readonly trail?: TrailSettings;
  /**
   * Record IAM and other global resources (once per account: the home
   * region), besides every regional resource type.
   * @default false
   */
  readonly recordGlobalResources?: boolean;
}

/**
 * What every environment account runs in each of its regions to notice an
 * attacker (#17): GuardDuty with S3 protection and ECS runtime monitoring
 * (its agent managed on Fargate), an AWS Config recorder of every resource
 * type delivering to the audit archive, an IAM Access Analyzer of the account,
 * ECR scanning on push of every repository (pull-through cache ones
 * included), and, in the home region, the multi-region CloudTrail trail:
 * log-file validation, KMS, management events everywhere and the data events
 * of the videos buckets. Findings reach people through the environment's
 * critical alarm topic (stacks/composites/monitoring.ts).
 */
export class SecurityBaseline extends Construct {
  readonly detector: GuarddutyDetector;
  readonly recorder: ConfigConfigurationRecorder;
  readonly analyzer: AccessanalyzerAnalyzer;
  readonly trail?: Cloudtrail;

  constructor(scope: Construct, id: string, props: SecurityBaselineProps) {
    super(scope, id);
    const { name, account, archive } = props;
    const { partition, region, accountId } = account;
    refuseProps("SecurityBaseline", id, [
      ...(/^[a-zA-Z0-9_-]{1,50}$/.test(name) ? [] : [`name: "${name}" must be 1-50 letters, digits, - or _ (role and trail names)`]),
      ...(props.trail && !/^[a-zA-Z0-9][a-zA-Z0-9._-]{2,127}$/.test(props.trail.name)
        ? [`trail.name: "${props.trail.name}" must be 3-128 letters, digits, . _ or -, starting with a letter or digit`]
        : []),
    ]);

    this.detector = new GuarddutyDetector(this, "detector", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    new GuarddutyDetectorFeature(this, "s3-protection", { detectorId: this.detector.id, name: "S3_DATA_EVENTS", status: "ENABLED" });
    new GuarddutyDetectorFeature(this, "runtime-monitoring", {
      detectorId: this.detector.id,
      name: "RUNTIME_MONITORING",
      status: "ENABLED",
      // Fargate tasks get the security agent as a sidecar GuardDuty manages; the GPU hosts run ECS on EC2 (EC2 agent).
      additionalConfiguration: [
        { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
        { name: "EC2_AGENT_MANAGEMENT", status: "ENABLED" },
      ],
    });

    // AWS Config Developer Guide, "Permissions for the IAM role assigned to AWS Config".
    const role = new IamRole(this, "config-role", {
      name: `${name}-config`,
      description: "AWS Config records this region's resources and delivers to the audit archive",
      assumeRolePolicy: serviceTrustPolicy(
        this,
        "config-trust",
        "config.amazonaws.com",
        account,
        `arn:${partition}:config:${region}:${accountId}:*`,
      ).json,
    });
    new IamRolePolicyAttachment(this, "config-managed", {
      role: role.name,
      policyArn: `arn:${partition}:iam::aws:policy/service-role/AWS_ConfigRole`,
    });
    const bucketArn = `arn:${partition}:s3:::${archive.bucketName}`;
    const delivery = new DataAwsIamPolicyDocument(this, "config-delivery", {
      statement: [
        { sid: "CheckTheArchive", actions: ["s3:GetBucketAcl", "s3:ListBucket"], resources: [bucketArn] },
        {
          sid: "DeliverToTheArchive",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${AUDIT_PREFIXES.config}/AWSLogs/${accountId}/*`],
        },
      ],
    });
    new IamRolePolicy(this, "config-delivery-policy", { role: role.name, name: "deliver-to-the-audit-archive", policy: delivery.json });
    this.recorder = new ConfigConfigurationRecorder(this, "recorder", {
      name: "default",
      roleArn: role.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: props.recordGlobalResources ?? false },
    });
    const channel = new ConfigDeliveryChannel(this, "delivery-channel", {
      name: "default",
      s3BucketName: archive.bucketName,
      s3KeyPrefix: AUDIT_PREFIXES.config,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
      dependsOn: [this.recorder],
    });
    new ConfigConfigurationRecorderStatus(this, "recorder-status", { name: this.recorder.name, isEnabled: true, dependsOn: [channel] });

    this.analyzer = new AccessanalyzerAnalyzer(this, "access-analyzer", { analyzerName: `${name}-account`, type: "ACCOUNT" });

    // BASIC scanning on push for every repository, pull-through cache ones included (their images are pushed by the cache).
    new EcrRegistryScanningConfiguration(this, "registry-scanning", {
      scanType: "BASIC",
      rule: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilter: [{ filter: "*", filterType: "WILDCARD" }] }],
    });

    if (props.trail) {
      const prefixes = props.trail.dataEventBucketPrefixes ?? [];
      this.trail = new Cloudtrail(this, "trail", {
        name: props.trail.name,
        s3BucketName: archive.bucketName,
        s3KeyPrefix: AUDIT_PREFIXES.cloudTrail,
        kmsKeyId: auditKeyAliasArn(archive, account),
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        // CloudTrail answers with the key's ARN for the alias ARN it was given: that is not a change.
        lifecycle: { ignoreChanges: ["kms_key_id"] },
        advancedEventSelector: [
          { name: "Management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
          ...(prefixes.length
            ? [
                {
                  name: "Videos buckets: object reads and writes",
                  fieldSelector: [
                    { field: "eventCategory", equalTo: ["Data"] },
                    { field: "resources.type", equalTo: ["AWS::S3::Object"] },
                    { field: "resources.ARN", startsWith: prefixes.map((p) => `arn:${partition}:s3:::${p}`) },
                  ],
                },
              ]
            : []),
        ],
      });
    }
    ComponentTags.apply(this, "security");
  }
}
