/**
 * The evidence registry of the lane's emulator gaps (issue #13, item 13).
 *
 * Every resource type the offline lane cannot apply (tests/terraform/emulator-gaps.ts
 * APPLY_GAPS) or can only validate (VALIDATE_ONLY) names, in its `evidence`, the
 * tags of the describe blocks in tests/stacks/apply-gap-evidence.test.ts that write
 * down the AWS constraints governing it, each test titled with its documentation.
 * tests/unit/apply-gap-evidence-links.test.ts fails a gap without evidence, a tag
 * that no describe block uses, and a describe block without tests.
 *
 * A tag is stable: rename the tests freely, keep the tag.
 */
export const EVIDENCE = {
  appAutoScaling: "evidence:application-auto-scaling",
  ecrPullThroughCache: "evidence:ecr-pull-through-cache",
  ecrCreationTemplate: "evidence:ecr-repository-creation-template",
  elastiCacheSubnetGroup: "evidence:elasticache-subnet-group",
  redisClusterMode: "evidence:elasticache-redis-cluster-mode",
  elastiCacheUserGroups: "evidence:elasticache-rbac-user-groups",
  s3IntelligentTiering: "evidence:s3-intelligent-tiering",
  rdsReadReplicas: "evidence:rds-read-replicas",
  rdsBackupReplication: "evidence:rds-automated-backups-replication",
  xraySamplingRules: "evidence:xray-sampling-rules",
  xrayGroups: "evidence:xray-groups",
  codeDeployApplication: "evidence:codedeploy-application",
  codeDeployConfig: "evidence:codedeploy-deployment-config",
  codeDeployEcsBlueGreen: "evidence:codedeploy-ecs-blue-green",
  codeStarConnection: "evidence:codestar-connection",
  codeBuildProjects: "evidence:codebuild-projects",
  codePipeline: "evidence:codepipeline",
  globalAccelerator: "evidence:global-accelerator",
  accessAnalyzer: "evidence:iam-access-analyzer",
  cloudTrail: "evidence:cloudtrail-trail",
  guardDutyFeatures: "evidence:guardduty-detector-features",
  ecrRegistryScanning: "evidence:ecr-registry-scanning",
  configRecorder: "evidence:aws-config-recorder",
  costBudgets: "evidence:aws-budgets-cost-budget",
} as const;

export type EvidenceTag = (typeof EVIDENCE)[keyof typeof EVIDENCE];

export const EVIDENCE_TAGS: readonly EvidenceTag[] = Object.values(EVIDENCE);
