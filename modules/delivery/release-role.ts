import type { Construct } from "constructs";
import { AccessRole } from "../access";
import type { AwsAccount } from "../common/aws-account";
import { namedRoles } from "../common/iam-arn";
import { refuseProps } from "../common/props";
import { type DeploymentTarget, deploymentStatements } from "./deploy-permissions";

export interface ReleaseRoleProps {
  readonly roleName: string;
  /** The environment's account and region: the deployment group's. */
  readonly account: AwsAccount;
  /** The delivery pipeline's roles that act as it (its pipeline role and the stage's render and record projects' roles). */
  readonly trustedRoles: readonly string[];
  readonly deployment: DeploymentTarget;
  /** The task and execution roles of the family's task definitions (iam:PassRole to ECS tasks only). */
  readonly passRoleArns: readonly string[];
  /** The pipeline's artifact bucket and the keys that may encrypt its objects (the other account's key ids are not known here). */
  readonly artifacts: { readonly bucketArn: string; readonly keyArns: readonly string[] };
  /** The release parameters (ReleaseDigests) the record step writes through the role. @default - none */
  readonly releaseDigests?: { readonly path: string; readonly regions: readonly string[] };
}

/**
 * The role of an environment's account that a delivery pipeline in another
 * account releases through (cross-account delivery): CodePipeline's deploy
 * action acts as it, the render step reads the task definition with it, and
 * the record step writes the release parameters with it. Trusted by exactly
 * the pipeline's roles (through their account's root, limited by
 * aws:PrincipalArn, so either side may be applied first); it may deploy to its
 * one deployment group, register its family's task definitions, pass the
 * tasks' roles, read the pipeline's artifacts and write its release parameters.
 */
export class ReleaseRole extends AccessRole {
  constructor(scope: Construct, id: string, props: ReleaseRoleProps) {
    refuseProps("ReleaseRole", id, [
      ...(props.trustedRoles.length === 0 ? ["trustedRoles: the pipeline's roles must be able to assume it"] : []),
      ...(props.passRoleArns.length === 0 ? ["passRoleArns: name the task and execution roles the deployment registers"] : []),
      ...(props.artifacts.keyArns.length === 0 ? ["artifacts.keyArns: name the key that encrypts the artifacts"] : []),
    ]);
    const { releaseDigests } = props;
    const { partition, accountId } = props.account;
    super(scope, id, {
      roleName: props.roleName,
      description: `Releases ${props.deployment.deploymentGroupName} for the delivery pipeline of another account`,
      trust: { statement: [{ sid: "ThePipelinesRoles", actions: ["sts:AssumeRole"], ...namedRoles(props.trustedRoles) }] },
      statements: [
        ...deploymentStatements(props.account, [props.deployment], props.passRoleArns),
        // DescribeTaskDefinition has no resource-level permissions.
        { sid: "ReadTaskDefinitions", actions: ["ecs:DescribeTaskDefinition"], resources: ["*"] },
        { sid: "ReadArtifacts", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${props.artifacts.bucketArn}/*`] },
        { sid: "ListArtifacts", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [props.artifacts.bucketArn] },
        { sid: "DecryptArtifacts", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [...props.artifacts.keyArns] },
        ...(releaseDigests
          ? [
              {
                sid: "WriteTheReleaseDigests",
                actions: ["ssm:GetParameter", "ssm:PutParameter"],
                resources: releaseDigests.regions.map((r) => `arn:${partition}:ssm:${r}:${accountId}:parameter${releaseDigests.path}/*`),
              },
            ]
          : []),
      ],
    });
  }
}
