import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { AwsAccount } from "../common/aws-account";

/** A CodeDeploy ECS deployment group and the task definition family it registers revisions of. */
export interface DeploymentTarget {
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly taskDefinitionFamily: string;
  /** The group's and family's region (a cross-region release action). @default - the account's region */
  readonly region?: string;
}

/**
 * What a CodeDeployToECS action's role needs in the account of its deployment
 * groups: deploy to them, register revisions of their applications, register
 * and tag task definitions of their families, and pass the tasks' roles to ECS.
 */
export function deploymentStatements(
  account: AwsAccount,
  groups: readonly DeploymentTarget[],
  passRoleArns: readonly string[],
): DataAwsIamPolicyDocumentStatement[] {
  const { accountId, partition } = account;
  const regionOf = (g: DeploymentTarget) => g.region ?? account.region;
  const codedeploy = (g: DeploymentTarget) => `arn:${partition}:codedeploy:${regionOf(g)}:${accountId}`;
  return [
    {
      sid: "DeployToTheseGroups",
      actions: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
      resources: groups.map((g) => `${codedeploy(g)}:deploymentgroup:${g.applicationName}/${g.deploymentGroupName}`),
    },
    {
      sid: "RegisterRevisionsOfTheseApplications",
      actions: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
      resources: [...new Set(groups.map((g) => `${codedeploy(g)}:application:${g.applicationName}`))],
    },
    {
      sid: "ReadDeploymentConfigs",
      actions: ["codedeploy:GetDeploymentConfig"],
      resources: [...new Set(groups.map((g) => `${codedeploy(g)}:deploymentconfig:*`))],
    },
    // RegisterTaskDefinition has no resource-level permissions.
    { sid: "RegisterTaskDefinitions", actions: ["ecs:RegisterTaskDefinition"], resources: ["*"] },
    {
      sid: "TagTheRegisteredTaskDefinitions",
      actions: ["ecs:TagResource"],
      resources: [
        ...new Set(groups.map((g) => `arn:${partition}:ecs:${regionOf(g)}:${accountId}:task-definition/${g.taskDefinitionFamily}:*`)),
      ],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
    },
    {
      sid: "PassTheTaskRolesToEcs",
      actions: ["iam:PassRole"],
      resources: [...passRoleArns],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    },
  ];
}
