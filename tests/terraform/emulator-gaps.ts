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

import { EVIDENCE, type EvidenceTag } from "../stacks/apply-gap-evidence-tags";

export const MEASURED_WITH = { moto: "5.2.1", terraform: "1.11.4", awsProvider: "5.100.0" } as const;

/** A resource type the emulator cannot apply. The lane applies with it targeted out; validate and plan still cover it. */
export interface ApplyGap {
  readonly type: string;
  /** Only the resources of the type this matches (by their synthesized config). @default - every resource of the type */
  readonly when?: { readonly description: string; readonly test: (config: Record<string, any>) => boolean };
  /** The emulator's error, as Terraform prints it. */
  readonly error: string;
  readonly reason: string;
  /**
   * The tests of the AWS constraints that govern the type, which the emulator
   * cannot check (tests/stacks/apply-gap-evidence.test.ts, by tag): never empty.
   */
  readonly evidence: readonly EvidenceTag[];
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
  /**
   * Accepted only while its value is unknown in the re-plan (a policy document
   * that waits for a drifting dependency), never as a concrete new value.
   */
  readonly unknownOnly?: boolean;
}

/** A resource the lane takes out of the state before destroy, because the emulator cannot delete it. */
export interface DestroyGap {
  readonly type: string;
  readonly when: { readonly description: string; readonly test: (config: Record<string, any>) => boolean };
  readonly error: string;
  readonly reason: string;
}

/** A step the lane changes only in the emulator, with why. */
export interface Workaround {
  readonly step: string;
  readonly error: string;
  readonly reason: string;
}

/** Stacks the lane validates but cannot plan or apply on the emulator at all. */
export interface ValidateOnly {
  /** Which stacks: `global` is every `ecg-<env>-global`. */
  readonly stack: "global";
  /** Every resource type such a stack holds: each is a gap. */
  readonly types: readonly string[];
  readonly error: string;
  readonly reason: string;
  /** As for {@link ApplyGap.evidence}: the tests of every type's documented constraints. */
  readonly evidence: readonly EvidenceTag[];
}

export const VALIDATE_ONLY: readonly ValidateOnly[] = [
  {
    stack: "global",
    types: ["aws_globalaccelerator_accelerator", "aws_globalaccelerator_listener", "aws_globalaccelerator_endpoint_group"],
    error:
      "moto_server answers the Global Accelerator API (globalaccelerator.us-west-2) with 404: moto 5.2.1 has no globalaccelerator service (no moto/globalaccelerator package)",
    reason:
      "Every resource of the global stack is Global Accelerator, and its plan reads both regional ALBs by name (data aws_lb), which exist only in the regional stacks' emulators. terraform validate covers it; the stack tests assert the listener, the endpoint groups, their dials and the ALB lookups.",
    evidence: [EVIDENCE.globalAccelerator],
  },
];

export const APPLY_GAPS: readonly ApplyGap[] = [
  {
    type: "aws_accessanalyzer_analyzer",
    error:
      "Error: creating IAM Access Analyzer Analyzer (ecg-account-111111111111-ap-northeast-2-account): operation error AccessAnalyzer: CreateAnalyzer, exceeded maximum number of attempts, 1, https response error StatusCode: 500, RequestID: , deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value",
    reason: "moto 5.2.1 has no IAM Access Analyzer at all (no accessanalyzer backend); nothing depends on the analyzer.",
    evidence: [EVIDENCE.accessAnalyzer],
  },
  {
    type: "aws_cloudtrail",
    error:
      "Error: creating CloudTrail Trail (ecg-audit): operation error CloudTrail: CreateTrail, https response error StatusCode: 400, S3BucketDoesNotExistException: S3 bucket ecg-render-terraform-state-audit does not exist!",
    reason:
      "moto looks the trail's bucket up in the trail's own account, and the archive is in the state account; past that, moto's StartLogging and DeleteTrail take the trail's name only, and the provider passes its ARN (getmoto/moto#10107, fixed after 5.2.1).",
    evidence: [EVIDENCE.cloudTrail],
  },
  {
    type: "aws_guardduty_detector_feature",
    error: "Error: reading GuardDuty Detector Feature (9f00a3df6eb21e4fda074df6f005abd9/RUNTIME_MONITORING): empty result",
    reason:
      "moto's UpdateDetector replaces the detector's whole feature list with the one feature each resource sends, so every feature but the last reads back empty; the detector itself is applied.",
    evidence: [EVIDENCE.guardDutyFeatures],
  },
  {
    type: "aws_ecr_registry_scanning_configuration",
    error:
      "Error: Provider produced inconsistent result after apply: When applying changes to aws_ecr_registry_scanning_configuration.baseline_registry-scanning_1CFAF6E1, provider produced an unexpected new value: Root object was present, but now absent.",
    reason:
      "moto accepts PutRegistryScanningConfiguration but its GetRegistryScanningConfiguration does not return what was put, so the provider reads nothing back.",
    evidence: [EVIDENCE.ecrRegistryScanning],
  },
  {
    type: "aws_iam_role_policy_attachment",
    when: {
      description: "the AWS managed policy AWS_ConfigRole (AWS Config's recorder role)",
      test: (config) => String(config.policy_arn).endsWith(":iam::aws:policy/service-role/AWS_ConfigRole"),
    },
    error:
      "Error: attaching IAM Policy (arn:aws:iam::aws:policy/service-role/AWS_ConfigRole) to IAM Role (ecg-account-111111111111-ap-northeast-2-config): operation error IAM: AttachRolePolicy, https response error StatusCode: 404, NoSuchEntity: Policy arn:aws:iam::aws:policy/service-role/AWS_ConfigRole does not exist or is not attachable.",
    reason: "moto's list of AWS managed policies has no AWS_ConfigRole; the role, its inline delivery policy and the recorder are applied.",
    evidence: [EVIDENCE.configRecorder],
  },
  {
    type: "aws_appautoscaling_target",
    error:
      "Error: listing tags for Application Auto Scaling Target (arn:aws:application-autoscaling:...:scalable-target/...): operation error Application Auto Scaling: ListTagsForResource, StatusCode: 500 (moto: NotImplementedError: The list_tags_for_resource action has not been implemented)",
    reason:
      "moto registers the scalable target but does not implement ListTagsForResource for Application Auto Scaling, which the provider calls after every create and read. The target and its CPU policy (aws_appautoscaling_policy, a dependent) are validated and planned; the API's scaling range is asserted in the stack tests.",
    evidence: [EVIDENCE.appAutoScaling],
  },
  {
    type: "aws_ecr_pull_through_cache_rule",
    error:
      "Error: creating ECR Pull Through Cache Rule (ecr-public): operation error ECR: CreatePullThroughCacheRule, StatusCode: 500 (moto: NotImplementedError: The create_pull_through_cache_rule action has not been implemented)",
    reason:
      "moto 5.2.1 has no ECR pull-through cache. Nothing references the rule (the X-Ray image URI is built from the account and region), so everything else applies.",
    evidence: [EVIDENCE.ecrPullThroughCache],
  },
  {
    type: "aws_ecr_repository_creation_template",
    error:
      "Error: creating ECR Repository Creation Template (ecr-public): operation error ECR: CreateRepositoryCreationTemplate, StatusCode: 500 (moto: NotImplementedError: The create_repository_creation_template action has not been implemented, checked with boto3)",
    reason:
      "moto 5.2.1 has no repository creation templates. The account stack's key and the role ECR assumes for the template apply; the pull-through rule, which waits for the template, is a gap of its own.",
    evidence: [EVIDENCE.ecrCreationTemplate, EVIDENCE.ecrPullThroughCache],
  },
  {
    type: "aws_elasticache_subnet_group",
    error:
      "Error: deleting ElastiCache Subnet Group (ecg-dev): operation error ElastiCache: DeleteCacheSubnetGroup, StatusCode: 500 (moto: NotImplementedError: The delete_cache_subnet_group action has not been implemented)",
    reason:
      "moto creates the subnet group but cannot delete it, so the lane could not destroy what it applied. The Redis replication group depends on it and is skipped with it (it is a gap of its own, below).",
    evidence: [EVIDENCE.elastiCacheSubnetGroup, EVIDENCE.redisClusterMode],
  },
  {
    type: "aws_elasticache_replication_group",
    error:
      "Error: reading ElastiCache Replication Group (ecg-dev): reading Cache Cluster (ecg-dev-001): operation error ElastiCache: DescribeCacheClusters, StatusCode: 404, CacheClusterNotFound: Cache cluster ecg-dev-001 not found.",
    reason:
      "moto's CreateReplicationGroup with cluster mode creates no member cache clusters, which the provider reads after create. The services that take the Redis endpoint (Backend API, GPU Render) are skipped with it; their task definitions and roles are asserted in the stack tests.",
    evidence: [EVIDENCE.redisClusterMode, EVIDENCE.elastiCacheSubnetGroup],
  },
  {
    type: "aws_budgets_budget",
    error:
      "aws_budgets_budget: Still creating... until the apply is stopped: the provider retries moto's StatusCode 500 to DescribeSubscribersForNotification (moto: NotImplementedError: The describe_subscribers_for_notification action has not been implemented)",
    reason:
      "moto 5.2.1 creates and describes budgets and their notifications but not their subscribers, which the provider reads back after CreateBudget; nothing in the program depends on the budget.",
    evidence: [EVIDENCE.costBudgets],
  },
  {
    type: "aws_elasticache_user_group",
    error:
      "Error: creating ElastiCache User Group (ecg-dev): operation error ElastiCache: CreateUserGroup, StatusCode: 500 (moto: NotImplementedError: The create_user_group action has not been implemented)",
    reason:
      "moto 5.2.1 implements ElastiCache users but no user group call (create, describe, modify, delete). The users themselves are applied; the replication group that names the group is a gap of its own.",
    evidence: [EVIDENCE.elastiCacheUserGroups, EVIDENCE.redisClusterMode],
  },
  {
    type: "aws_s3_bucket_intelligent_tiering_configuration",
    error:
      "Error: creating S3 Bucket (ecg-videos-dev-...) Intelligent-Tiering Configuration (analyzed): operation error S3: PutBucketIntelligentTieringConfiguration, StatusCode: 400, IllegalLocationConstraintException: The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
    reason: "moto routes PUT /<bucket>?intelligent-tiering to CreateBucket and refuses it; nothing depends on the configuration.",
    evidence: [EVIDENCE.s3IntelligentTiering],
  },
  {
    type: "aws_db_instance",
    when: { description: "read replicas (replicate_source_db set)", test: (config) => Boolean(config.replicate_source_db) },
    error:
      "Error: creating RDS DB Instance (read replica) (ecg-prod-replica-remote): operation error RDS: CreateDBInstanceReadReplica, StatusCode: 500 (cross-region); same region: Error: reading RDS DB Instance (ecg-prod-replica-1): couldn't find resource (moto: KeyError on the source's custom parameter group)",
    reason:
      "moto's CreateDBInstanceReadReplica fails across regions and, with a custom parameter group, in the same region. The primary applies; the replicas are validated and planned.",
    evidence: [EVIDENCE.rdsReadReplicas],
  },
  {
    type: "aws_db_instance_automated_backups_replication",
    error:
      "Error: starting RDS Instance Automated Backups Replication (arn:aws:rds:ap-northeast-2:...:db:ecg-prod): operation error RDS: StartDBInstanceAutomatedBackupsReplication, StatusCode: 500 (moto: NotImplementedError)",
    reason: "Not implemented in moto 5.2.1.",
    evidence: [EVIDENCE.rdsBackupReplication],
  },
  {
    type: "aws_xray_sampling_rule",
    error:
      "Error: creating XRay Sampling Rule (ecg-dev-api): operation error XRay: CreateSamplingRule, https response error StatusCode: 404, RequestID: , deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value",
    reason:
      "moto 5.2.1's X-Ray routes only trace segments, telemetry and trace queries (moto/xray/urls.py): CreateSamplingRule has no route, so moto_server answers 404 HTML.",
    evidence: [EVIDENCE.xraySamplingRules],
  },
  {
    type: "aws_xray_group",
    error:
      "Error: creating XRay Group (ecg-dev-api-errors): operation error XRay: CreateGroup, https response error StatusCode: 404, RequestID: , deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value",
    reason: "As for sampling rules: moto 5.2.1 has no CreateGroup route (moto/xray/urls.py).",
    evidence: [EVIDENCE.xrayGroups],
  },
  {
    type: "aws_codedeploy_app",
    error:
      "Error: reading CodeDeploy Application (...:ecg-dev-api): operation error CodeDeploy: GetApplication, https response error StatusCode: 200, deserialization failed, failed to decode response body, expected Timestamp to be a JSON Number, got string instead",
    reason:
      "moto returns createTime as an ISO-8601 string (moto/codedeploy/models.py iso_8601_datetime_with_milliseconds); the CodeDeploy API (JSON 1.1) returns epoch seconds, so the provider cannot read back the application it created. Its deployment group, the canary config's users and the hook Lambda go with it.",
    evidence: [EVIDENCE.codeDeployApplication, EVIDENCE.codeDeployEcsBlueGreen, EVIDENCE.codePipeline],
  },
  {
    type: "aws_codedeploy_deployment_config",
    error:
      "Error: creating CodeDeploy Deployment Config (ecg-prod-api-canary-50pct-10min): operation error CodeDeploy: CreateDeploymentConfig, exceeded maximum number of attempts, 3, https response error StatusCode: 500, deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value",
    reason: "Not implemented in moto 5.2.1 (moto/codedeploy/responses.py has no create_deployment_config).",
    evidence: [EVIDENCE.codeDeployConfig, EVIDENCE.codeDeployEcsBlueGreen],
  },
  {
    type: "aws_codestarconnections_connection",
    error:
      "Error: creating CodeStar Connections Connection (ecg-release-github): operation error CodeStar connections: CreateConnection, exceeded maximum number of attempts, 3, https response error StatusCode: 500 (moto_server: AttributeError: 'NoneType' object has no attribute 'replace' in backends.get_backend)",
    reason: "moto 5.2.1 has no CodeStar Connections backend: moto_server fails to route the service at all.",
    evidence: [EVIDENCE.codeStarConnection, EVIDENCE.codePipeline],
  },
  {
    type: "aws_codebuild_project",
    error:
      "Error: creating CodeBuild Project (ecg-release-render-prod): operation error CodeBuild: CreateProject, https response error StatusCode: 400, InvalidInputException: Project source location is required",
    reason:
      "moto requires source.location for every source type (moto/codebuild/responses.py _validate_required_params_source), but a CODEPIPELINE source has no location: AWS takes the pipeline's artifact. The pipeline that runs the projects goes with them.",
    evidence: [EVIDENCE.codeBuildProjects, EVIDENCE.codePipeline],
  },
];

export const DESTROY_GAPS: readonly DestroyGap[] = [
  {
    type: "aws_cloudfront_key_group",
    when: { description: "every key group", test: () => true },
    error:
      "Error: deleting CloudFront Key Group (Z9R5OMVUCEP8O2): operation error CloudFront: DeleteKeyGroup, exceeded maximum number of attempts, 1, https response error StatusCode: 500, error while deserializing xml error response",
    reason:
      "moto 5.2.1 has CreateKeyGroup and GetKeyGroup but no DeleteKeyGroup (nor UpdateKeyGroup); the key group is taken out of the state before destroy.",
  },
];

const ECS_SERVICE_IGNORED =
  "moto's CreateService handler (moto/ecs/responses.py create_service) does not read this parameter, so DescribeServices never returns it; real ECS stores and returns it.";

export const DRIFT_GAPS: readonly DriftGap[] = [
  {
    type: "aws_secretsmanager_secret",
    attribute: "replica",
    reason:
      "moto records every replica with KmsKeyId alias/aws/secretsmanager whatever key the request named (moto/secretsmanager/models.py ReplicaSecret.config), so every re-plan of prod's replicated API secrets wants to set the Tokyo key again. AWS returns the key given; the stack tests assert it.",
  },
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
    reason:
      "moto's DescribePolicies returns no Enabled field, so the provider reads false and every re-plan wants to enable the policy again.",
  },
  {
    type: "aws_autoscaling_policy",
    attribute: "predictive_scaling_configuration",
    reason:
      "moto returns an empty PredictiveScalingConfiguration on target-tracking policies; the provider reads it as one empty block where the configuration has none.",
  },
  {
    type: "aws_launch_template",
    attribute: "tag_specifications",
    reason:
      "moto echoes the launch template's own tags into LaunchTemplateData.TagSpecifications as a third entry (resource_type launch-template); real AWS returns only the instance and volume entries we set.",
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
  ...["performance_insights_enabled", "performance_insights_kms_key_id", "monitoring_interval", "monitoring_role_arn"].map((attribute) => ({
    type: "aws_db_instance",
    attribute,
    reason:
      "moto's CreateDBInstance does not keep Performance Insights or enhanced monitoring settings (DescribeDBInstances returns them off/empty); real RDS returns what was set.",
  })),
  {
    type: "aws_db_parameter_group",
    attribute: "parameter",
    reason: "moto's DescribeDBParameters returns none of the parameters set at creation (rds.force_ssl and the log settings).",
  },
  {
    type: "aws_cloudfront_distribution",
    attribute: "viewer_certificate",
    reason: "moto reports cloudfront_default_certificate = true beside the ACM certificate it was given.",
  },
  {
    type: "aws_cloudfront_distribution",
    attribute: "default_cache_behavior",
    reason: "moto fills in legacy forwarded_values for a behavior that uses a cache policy (the API allows one or the other).",
  },
  { type: "aws_cloudfront_distribution", attribute: "origin", reason: "moto does not return the origin's origin_access_control_id." },
  {
    type: "aws_lambda_function",
    attribute: "logging_config",
    reason: "moto's GetFunction returns no LoggingConfig (JSON format, log group).",
  },
  {
    type: "aws_s3_bucket_acl",
    attribute: "access_control_policy",
    reason:
      "moto's GetBucketAcl names an owner id that differs from the canonical user id moto's own ListBuckets gives (data aws_canonical_user_id).",
  },
  {
    type: "aws_s3_bucket_replication_configuration",
    attribute: "rule",
    reason: "moto returns each replication rule without its filter prefix and with delete-marker replication Disabled.",
  },
  {
    type: "aws_iam_role_policy",
    attribute: "policy",
    unknownOnly: true,
    reason:
      "Unknown (never a new value) only because its policy document reads a resource with emulator drift above (the database, the distribution) and Terraform defers such reads to apply.",
  },
  {
    type: "aws_s3_bucket_policy",
    attribute: "policy",
    unknownOnly: true,
    reason:
      "Unknown (never a new value) only because the videos bucket's policy names the CloudFront distribution, which has emulator drift above.",
  },
  { type: "aws_ecs_service", attribute: "placement_constraints", reason: ECS_SERVICE_IGNORED },
  { type: "aws_ecs_service", attribute: "enable_ecs_managed_tags", reason: ECS_SERVICE_IGNORED },
  { type: "aws_ecs_service", attribute: "enable_execute_command", reason: ECS_SERVICE_IGNORED },
  ...["notification_target_arn", "role_arn"].map((attribute) => ({
    type: "aws_autoscaling_lifecycle_hook",
    attribute,
    reason:
      "moto's PutLifecycleHook stores fixed example values for a hook without notifications (moto/autoscaling/models.py FakeLifecycleHook: arn:aws:sqs:us-east-1:123456789012:my-queue and arn:aws:iam::1234567890:role/my-auto-scaling-role, checked with boto3), so every re-plan wants to clear them. AWS returns none for a hook that names no target.",
  })),
  {
    type: "aws_ecs_service",
    attribute: "availability_zone_rebalancing",
    reason: `${ECS_SERVICE_IGNORED} The provider plans the API's default, DISABLED, against moto's empty value.`,
  },
];

export const WORKAROUNDS: readonly Workaround[] = [
  {
    step: "cdktf CLI run (PLT-7): the copy leaves out the outputs of resources an apply gap keeps out (the Redis endpoint, the API service name) and the constant ones (the Redis key prefixes)",
    error: "ERROR  Cannot convert undefined or null to object (cdktf-cli handlers.js, printing outputs after `Apply complete!`)",
    reason:
      "A targeted apply leaves those outputs null (constant outputs depend on no targeted resource), and cdktf 0.21 crashes printing a null output. The emulator runs of the full stack keep every output.",
  },
  {
    step: "moto_server starts with MOTO_ACM_VALIDATION_WAIT=0: a DNS-validated certificate is issued as soon as it is read again",
    error:
      "(without it) aws_acm_certificate_validation waits for moto's default 60 s before the certificate leaves PENDING_VALIDATION, on every environment",
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
    step: "leftover check after destroy: a VPC endpoint whose VPC no longer exists is reported as orphaned by the emulator, not as our leftover",
    error:
      "ecg-staging: destroy left resources behind in the emulator: vpc-endpoint/vpce-9edc13328a07088e1 (in no state file: the state held its 12 endpoints, all destroyed)",
    reason:
      "Seen once (CI, 2026-11-26, a busy machine): a CreateVpcEndpoint that moto carried out but answered with a retryable error, so the provider's retry created a second endpoint and kept only that one. AWS's DeleteVpc refuses a VPC that has endpoints; moto's does not check them (moto/ec2/models/vpcs.py delete_vpc), so the duplicate outlives its VPC. An endpoint of a live VPC is still a leftover.",
  },
  {
    step: "after apply: network resources (route tables, security groups, subnets) with the stack's tags whose ids are in no state are deleted and reported, before the re-plan",
    error:
      "ecg-staging: destroy timed out on aws_vpc (Still destroying... 15m0s); moto held a second route table ecg-staging-gpu-c, with no associations, that the state did not know (moto's DeleteVpc answers DependencyViolation while a VPC has more than its main route table)",
    reason:
      "Seen on a busy machine (2026-11-26): moto carried out a CreateRouteTable and answered it with a retryable error, so the provider's retry made a second table and kept only that one. Terraform records every resource it creates, so one with the stack's tags that no state holds is the emulator's duplicate, never the program's. Its cousins: the duplicate VPC endpoint (below) and InvalidPermission.Duplicate on a retried rule.",
  },
  {
    step: "after apply: active ECS task definitions with the stack's tags whose ARNs are in no state are deregistered and reported; the leftover check asks each region only about its own ARNs",
    error:
      "Command failed: python3 tests/terraform/harness/aws_facts.py leftovers --regions ap-northeast-2,ap-northeast-1,us-west-2,us-east-1 --tag Project=ecg-render --tag Environment=dev: botocore.errorfactory.ClientException: An error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition. (clean-clone CI, 2026-12-01, ecg-dev in its own account)",
    reason:
      "After ecg-dev's destroy one of its task definitions was still ACTIVE in Seoul, and the leftover check then asked Tokyo about it (moto looks a task definition up by family and revision in the asking region). No state held it: a RegisterTaskDefinition that moto carried out but answered with a retryable error adds a second revision when the provider retries, with no error to see (registration is not idempotent). Like the other duplicates, one with the stack's tags that no state knows is the emulator's, never the program's.",
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
      'Error refreshing state: Unable to access object "ecg-dev/terraform.tfstate" in S3 bucket "ecg-render-terraform-state": operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden',
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
    step: "apply",
    pattern:
      /AddRoleToInstanceProfile, https response error StatusCode: 409|InvalidPermission\.Duplicate: the specified rule|CreateRoute, https response error StatusCode: 400[\s\S]*RouteAlreadyExists|CreateSecret, https response error StatusCode: 400[\s\S]*ResourceExistsException|CreateWebACL, https response error StatusCode: 400[\s\S]*WafV2DuplicateItem|CreateTargetGroup, https response error StatusCode: 400[\s\S]*DuplicateTargetGroupName|CreateSubnet, https response error StatusCode: 400[\s\S]*InvalidSubnet\.Conflict/i,
    error:
      "Error: adding IAM Role (ecg-staging-gpu-render-host) to IAM Instance Profile (ecg-staging-gpu-render-host): operation error IAM: AddRoleToInstanceProfile, https response error StatusCode: 409 (CI, 2026-11-26, an idle machine); earlier: AuthorizeSecurityGroupEgress ... InvalidPermission.Duplicate: The specified rule already exists; later (clean-clone CI, 2026-12-01, the cdktf deploy of ecg-dev): creating Route in Route Table (rtb-...) with destination (0.0.0.0/0): operation error EC2: CreateRoute, https response error StatusCode: 400, api error RouteAlreadyExists: The route identified by 0.0.0.0/0 already exists; and (clean-clone CI, 2026-12-01, ecg-staging): creating Secrets Manager Secret (ecg-staging/db/master): operation error Secrets Manager: CreateSecret, https response error StatusCode: 400, RequestID: ..., ResourceExistsException: The operation failed because the secret ecg-staging/db/master already exists; and (clean-clone CI, 2026-12-01, ecg-dev): creating WAFv2 WebACL (ecg-dev-cdn): operation error WAFV2: CreateWebACL, https response error StatusCode: 400, RequestID: ..., api error WafV2DuplicateItem: AWS WAF could not perform the operation because some resource in your request is a duplicate of an existing one; and (clean-clone CI, 2026-12-01, ecg-prod-standby): creating ELBv2 Target Group (ecg-prod-standby-api): operation error Elastic Load Balancing v2: CreateTargetGroup, https response error StatusCode: 400, RequestID: ..., DuplicateTargetGroupName: A target group with the specified name already exists; and (the lane, 2026-12-01, ecg-staging in its own account): creating EC2 Subnet: operation error EC2: CreateSubnet, https response error StatusCode: 400, RequestID: ..., api error InvalidSubnet.Conflict: The CIDR '10.1.2.0/24' conflicts with another subnet.",
    reason:
      "The create was carried out twice: moto answered the first request with an error the SDK retries (no traceback in moto's log, so not a 500), and the retry found its own work done (moto/iam/models.py add_role_to_instance_profile refuses a second role; a rule exists once per group; a route once per table and destination; a secret's name once per region; a web ACL's once per scope and region; a target group's once per region; a subnet's CIDR once per VPC). Before the one retry, the lane removes what no state knows (the duplicate-sweep work-around: rules of the stack's groups, routes of its tables, route tables, groups, subnets, secrets with the stack's tags in its primary region, target groups, task definitions and web ACLs with its tags); the half-made instance profile is tainted and Terraform replaces it. A second failure fails the lane.",
  },
  {
    step: "destroy",
    pattern: /InvalidPermission\.NotFound: The specified rule does not exist in this\s+security\s+group/,
    error:
      "Error: deleting VPC Security Group Rule (sgr-...): operation error EC2: RevokeSecurityGroupEgress, StatusCode: 400, api error InvalidPermission.NotFound: The specified rule does not exist in this security group",
    reason:
      "moto_server answers requests on threads, and RevokeSecurityGroupEgress/Ingress rewrite a group's rule list without a lock (moto/ec2/models/security_groups.py: group.egress_rules = [...]), so concurrent revokes on one group race (seen once in several runs). Destroy is idempotent: a retry refreshes and finishes.",
  },
  {
    step: "destroy",
    pattern: /waiting for Lambda Permission \([^)]+\) delete: found resource/,
    error:
      "Error: waiting for Lambda Permission (ecg-staging-rds-rotation/SecretsManager-master) delete: found resource (clean-clone CI, 2026-12-02, ecg-staging)",
    reason:
      "The provider removes the permission, then polls GetPolicy until the statement is gone; under load moto answered a poll with the policy it had not yet rewritten (its thread-unsafe policy dict). Destroy is idempotent: a retry refreshes, finds the permission gone or removes it again, and finishes.",
  },
  {
    step: "destroy",
    pattern: /DeleteLaunchTemplate, https response error StatusCode: 400[\s\S]*InvalidLaunchTemplateName\.NotFoundException/,
    error:
      "Error: deleting EC2 Launch Template (lt-...): operation error EC2: DeleteLaunchTemplate, https response error StatusCode: 400, api error InvalidLaunchTemplateName.NotFoundException: At least one of the launch templates specified in the request does not exist.",
    reason:
      "Seen once in ~10 CI runs (2026-11-26, ecg-prod, four stacks on two cores): the template was already gone from moto when the provider deleted it, most likely a first DeleteLaunchTemplate that moto carried out but answered with a retryable error (its thread-unsafe dicts under load), so the SDK's retry found nothing. The provider treats only AWS's InvalidLaunchTemplateId.NotFound as gone; moto answers with the name variant. A retry refreshes (DescribeLaunchTemplates by id returns nothing, so the template leaves the state) and finishes.",
  },
  {
    step: "destroy",
    pattern: /DeleteTargetGroup, https response error StatusCode: 400[\s\S]*TargetGroupNotFound/,
    error:
      "Error: deleting ELBv2 Target Group (arn:aws:elasticloadbalancing:...:targetgroup/ecg-prod-api-green/...): operation error Elastic Load Balancing v2: DeleteTargetGroup, https response error StatusCode: 400, api error TargetGroupNotFound: One or more target groups not found",
    reason:
      "Seen once (clean-clone CI, 2026-12-01, ecg-prod): the same family as the launch template above. A first DeleteTargetGroup that moto carried out but answered with a retryable error leaves the SDK's retry nothing to delete (AWS's DeleteTargetGroup succeeds on a group that is gone). A retry refreshes (the group leaves the state) and finishes.",
  },
  {
    step: "destroy",
    pattern: /RemoveRoleFromInstanceProfile, exceeded maximum number of attempts, \d+, https response error StatusCode: 500/,
    error:
      "Error: removing IAM Role (ecg-staging-ml-audio-host) from IAM Instance Profile (ecg-staging-ml-audio-host): operation error IAM: RemoveRoleFromInstanceProfile, exceeded maximum number of attempts, 3, https response error StatusCode: 500 (moto's log: moto/iam/models.py remove_role_from_instance_profile, profile.roles.remove(role): ValueError: list.remove(x): x not in list)",
    reason:
      "Seen once (clean-clone CI, 2026-12-01, ecg-staging, an idle machine): the same family again. A first RemoveRoleFromInstanceProfile that moto carried out but answered with a retryable error leaves the role out of the profile, and moto crashes on every retry (a 500 from list.remove), where AWS would answer NoSuchEntity. A retry refreshes (the profile has no role left) and deletes the profile.",
  },
];
