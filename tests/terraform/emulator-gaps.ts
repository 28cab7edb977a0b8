/**
 * The reviewed list of emulator gaps: where moto, not our program, stops the
 * offline lane from applying a resource or from re-planning clean.
 *
 * Measured with moto 5.2.1, Terraform 1.11.4, hashicorp/aws 5.100.0. Re-check
 * every entry when any of them changes: the lane fails on an entry that no
 * stack needed (a stale excuse), and on any failure or drift not listed here.
 * A gap is never a place to hide our bug: each entry names the emulator's
 * error and why it is the emulator's fault.
 */

export const MEASURED_WITH = { moto: "5.2.1", terraform: "1.11.4", awsProvider: "5.100.0" } as const;

/** A resource type the emulator cannot apply. The lane applies with it targeted out; validate and plan still cover it. */
export interface ApplyGap {
  readonly type: string;
  /** The emulator's error, as Terraform prints it. */
  readonly error: string;
  readonly reason: string;
}

/** An attribute the emulator does not return, so a re-plan shows a change that real AWS would not. */
export interface DriftGap {
  readonly type: string;
  readonly attribute: string;
  readonly reason: string;
  /**
   * The attribute forces replacement, so the emulator's missing value plans a
   * delete/create. Accepted only when every replace path is such an entry and
   * every other change is drift or one of `recomputedByReplacement`.
   */
  readonly forcesReplacement?: {
    /** Attributes a replacement recomputes (ids, computed defaults), listed one by one. */
    readonly recomputedByReplacement: readonly string[];
  };
}

/** A step the lane changes only in the emulator, with why. */
export interface Workaround {
  readonly step: string;
  readonly error: string;
  readonly reason: string;
}

export const APPLY_GAPS: readonly ApplyGap[] = [
  {
    type: "aws_appautoscaling_target",
    error:
      "Error: listing tags for Application Auto Scaling Target (arn:aws:application-autoscaling:...:scalable-target/...): operation error Application Auto Scaling: ListTagsForResource, StatusCode: 500 (moto: NotImplementedError: The list_tags_for_resource action has not been implemented)",
    reason:
      "moto registers the scalable target but does not implement ListTagsForResource for Application Auto Scaling, which the provider calls after every create and read. The target and its CPU policy (aws_appautoscaling_policy, a dependent) are validated and planned; the API's scaling range is asserted in the stack tests.",
  },
  {
    type: "aws_ecr_pull_through_cache_rule",
    error:
      "Error: creating ECR Pull Through Cache Rule (ecr-public): operation error ECR: CreatePullThroughCacheRule, StatusCode: 500 (moto: NotImplementedError: The create_pull_through_cache_rule action has not been implemented)",
    reason: "moto 5.2.1 has no ECR pull-through cache. Nothing references the rule (the X-Ray image URI is built from the account and region), so everything else applies.",
  },
];

const ECS_SERVICE_IGNORED =
  "moto's CreateService handler (moto/ecs/responses.py create_service) does not read this parameter, so DescribeServices never returns it; real ECS stores and returns it.";

export const DRIFT_GAPS: readonly DriftGap[] = [
  {
    type: "aws_vpc_security_group_ingress_rule",
    attribute: "description",
    reason:
      "moto's DescribeSecurityGroupRules returns Description only for CIDR rules; for rules whose peer is a security group or prefix list it returns none (checked with boto3), so every re-plan wants to set it again. Real AWS returns it.",
  },
  {
    type: "aws_vpc_security_group_egress_rule",
    attribute: "description",
    reason: "Same emulator behaviour as the ingress rules: no Description on group- or prefix-list-referenced rules.",
  },
  {
    type: "aws_autoscaling_policy",
    attribute: "enabled",
    reason: "moto's DescribePolicies returns no Enabled field, so the provider reads false and every re-plan wants to enable the policy again.",
  },
  {
    type: "aws_autoscaling_policy",
    attribute: "predictive_scaling_configuration",
    reason: "moto returns an empty PredictiveScalingConfiguration on target-tracking policies; the provider reads it as one empty block where the configuration has none.",
  },
  {
    type: "aws_launch_template",
    attribute: "tag_specifications",
    reason: "moto echoes the launch template's own tags into LaunchTemplateData.TagSpecifications as a third entry (resource_type launch-template); real AWS returns only the instance and volume entries we set.",
  },
  {
    type: "aws_launch_template",
    attribute: "default_version",
    reason: "Recomputed (unknown) only because the tag_specifications drift above plans a new template version.",
  },
  {
    type: "aws_launch_template",
    attribute: "latest_version",
    reason: "Recomputed (unknown) only because the tag_specifications drift above plans a new template version.",
  },
  {
    type: "aws_ecs_service",
    attribute: "capacity_provider_strategy",
    reason: `${ECS_SERVICE_IGNORED} The attribute forces replacement, so the Fargate (Spot) API service re-plans as a replacement.`,
    forcesReplacement: {
      // A replacement plans a new service: its id, triggers and the computed
      // launch_type and iam_role become unknown, and deployment_controller, which the
      // config leaves to ECS's default, is planned empty until ECS fills it in.
      recomputedByReplacement: ["id", "triggers", "launch_type", "iam_role", "deployment_controller"],
    },
  },
  { type: "aws_ecs_service", attribute: "placement_constraints", reason: ECS_SERVICE_IGNORED },
  { type: "aws_ecs_service", attribute: "enable_ecs_managed_tags", reason: ECS_SERVICE_IGNORED },
  { type: "aws_ecs_service", attribute: "health_check_grace_period_seconds", reason: ECS_SERVICE_IGNORED },
  { type: "aws_ecs_service", attribute: "availability_zone_rebalancing", reason: `${ECS_SERVICE_IGNORED} The provider plans the API's default, DISABLED, against moto's empty value.` },
];

export const WORKAROUNDS: readonly Workaround[] = [
  {
    step: "moto_server starts with MOTO_ACM_VALIDATION_WAIT=0: a DNS-validated certificate is issued as soon as it is read again",
    error: "(without it) aws_acm_certificate_validation waits for moto's default 60 s before the certificate leaves PENDING_VALIDATION, on every environment",
    reason:
      "moto does not resolve DNS, so it simulates validation by time (moto/acm/models.py, settings.ACM_VALIDATION_WAIT). The validation record is still created in Route 53 and the validation resource still waits for ISSUED; only the simulated delay is shortened.",
  },
  {
    step: "leftover check after destroy: running instances of an Auto Scaling group that no longer exists are reported as orphaned by the emulator, not as our leftovers",
    error: "destroy left resources behind in the emulator: arn:aws:ec2:...:instance/i-... (the GPU fleets' scale-in-protected hosts)",
    reason:
      "moto's DeleteAutoScalingGroup ignores ForceDelete: it sets the desired capacity to 0, which terminates only unprotected instances (moto/autoscaling/models.py delete_auto_scaling_group). AWS terminates every instance of a force-deleted group.",
  },
  {
    step: "bootstrap teardown: access logging is destroyed first (-target) and both buckets are emptied by version id while still versioned, before destroy",
    error:
      "Error: emptying S3 Bucket (ecg-render-terraform-state): ... DeleteObjects, StatusCode: 500 (moto: AttributeError: 'FakeDeleteMarker' object has no attribute 'dispose', moto/s3/utils.py _VersionedKeyStore.pop)",
    reason:
      "Destroy removes aws_s3_bucket_versioning before the bucket, and moto then deletes keys on the unversioned path, which crashes on the delete marker use_lockfile leaves behind. moto also delivers access logs, which would refill the log bucket during destroy. Real buckets are never emptied: this is the lane's own teardown.",
  },
  {
    step: "state backend proof: the TLS-only policy of the state bucket is destroyed (terraform destroy -target) before the environment uses the bucket",
    error:
      "Error refreshing state: Unable to access object \"ecg-dev/terraform.tfstate\" in S3 bucket \"ecg-render-terraform-state\": operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden",
    reason:
      "moto/iam/access_control.py IAMPolicyStatement.is_action_permitted returns DENIED when a statement's Condition does not match, also for Deny statements (AWS ignores a Deny whose condition does not match), and moto supplies no aws:SecureTransport or s3:TlsVersion, so a deny-unless-TLS policy denies every request. The policy itself is applied and re-planned clean in the bootstrap stack's own run.",
  },
];

/** A known emulator race: the step is retried once when its output matches; a second failure fails the lane. */
export interface Flake {
  readonly step: string;
  readonly pattern: RegExp;
  readonly error: string;
  readonly reason: string;
}

export const FLAKES: readonly Flake[] = [
  {
    step: "destroy",
    pattern: /InvalidPermission\.NotFound: The specified rule does not exist in this security\s+group/,
    error: "Error: deleting VPC Security Group Rule (sgr-...): operation error EC2: RevokeSecurityGroupEgress, StatusCode: 400, api error InvalidPermission.NotFound: The specified rule does not exist in this security group",
    reason:
      "moto_server answers requests on threads, and RevokeSecurityGroupEgress/Ingress rewrite a group's rule list without a lock (moto/ec2/models/security_groups.py: group.egress_rules = [...]), so concurrent revokes on one group race (seen once in several runs). Destroy is idempotent: a retry refreshes and finishes.",
  },
];
