import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { serviceTrustPolicy } from "../common/trust";

export type PolicyStatement = DataAwsIamPolicyDocumentStatement;

/** The cluster's ECS Exec session key and audit log group. */
export interface ExecCommandAccess {
  readonly kmsKeyArn: string;
  readonly logGroupArn: string;
}

/** The task role's part of ECS Exec (ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec": IAM permissions). */
function execStatements(exec: ExecCommandAccess): PolicyStatement[] {
  return [
    // The ssmmessages channel actions take no resource.
    {
      sid: "ExecSessionChannels",
      actions: [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ],
      resources: ["*"],
    },
    { sid: "ExecSessionEncryption", actions: ["kms:Decrypt"], resources: [exec.kmsKeyArn] },
    // DescribeLogGroups lists; it takes no log group ARN.
    { sid: "ExecSessionLogLookup", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
    {
      sid: "ExecSessionLog",
      actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      resources: [`${exec.logGroupArn}:*`],
    },
  ];
}

export interface TaskRolesProps {
  /** Prefix of the role names, e.g. `ecg-prod-backend-api`. */
  readonly name: string;
  readonly account: AwsAccount;
  /** ECR repository ARNs (wildcards allowed) the agent pulls from. */
  readonly pullFrom: readonly string[];
  /** Pull-through cache repositories among them (ARNs). @default [] */
  readonly pullThroughFrom?: readonly string[];
  /** Log group ARNs the agent writes container output to. */
  readonly logGroupArns: readonly string[];
  /** Secrets Manager ARNs the agent injects. @default [] */
  readonly secretArns?: readonly string[];
  /** KMS keys that encrypt those secrets. @default [] */
  readonly decryptKeyArns?: readonly string[];
  /** What the application itself may do (SEC-1). @default [] */
  readonly taskStatements?: readonly PolicyStatement[];
  /** Let the task send traces to X-Ray (MON-4). @default false */
  readonly tracing?: boolean;
  /** Let the task take ECS Exec sessions. @default - no ECS Exec */
  readonly execCommand?: ExecCommandAccess;
}

/**
 * The two roles of an ECS service (SEC-1, CKV_AWS_249): the execution role the
 * ECS agent uses to pull images, write logs and inject secrets, and the task
 * role the application uses. Both trust ECS tasks of this account only, and
 * both are scoped to named resources: no `*` action, and `Resource: *` only for
 * the calls that have no resource (commented where granted).
 */
export class TaskRoles extends Construct {
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    const { accountId, region, partition } = props.account;
    const trust = serviceTrustPolicy(
      this,
      "trust",
      "ecs-tasks.amazonaws.com",
      props.account,
      `arn:${partition}:ecs:${region}:${accountId}:*`,
    );

    const secrets = [...new Set(props.secretArns ?? [])];
    const execution: PolicyStatement[] = [
      // GetAuthorizationToken is account-wide: ECR accepts no resource for it.
      { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      {
        sid: "PullServiceImages",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        resources: [...props.pullFrom],
      },
      {
        sid: "WriteContainerLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: props.logGroupArns.map((arn) => `${arn}:log-stream:*`),
      },
    ];
    const caches = props.pullThroughFrom ?? [];
    if (caches.length) {
      // ECR User Guide, "IAM permissions required to sync an upstream registry": the puller imports the
      // upstream image, and creates the cache repository if it does not exist yet (the first pull).
      execution.push({
        sid: "FillPullThroughCache",
        actions: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        resources: [...caches],
      });
    }
    if (secrets.length) execution.push({ sid: "InjectSecrets", actions: ["secretsmanager:GetSecretValue"], resources: secrets });
    if (secrets.length && props.decryptKeyArns?.length) {
      execution.push({
        sid: "DecryptSecrets",
        actions: ["kms:Decrypt"],
        resources: [...props.decryptKeyArns],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${region}.amazonaws.com`] }],
      });
    }
    this.executionRole = this.role({
      id: "execution",
      name: `${props.name}-execution`,
      description: "ECS agent: pulls the service's images, writes its logs, injects its secrets",
      assumeRolePolicy: trust.json,
      statements: execution,
    });

    const task = [...(props.taskStatements ?? []), ...(props.execCommand ? execStatements(props.execCommand) : [])];
    if (props.tracing) {
      // X-Ray's write and sampling APIs take no resource ARN (AWSXRayDaemonWriteAccess grants the same on "*").
      task.push({
        sid: "SendTraces",
        actions: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ],
        resources: ["*"],
      });
    }
    this.taskRole = this.role({
      id: "task",
      name: `${props.name}-task`,
      description: "The application's own permissions (SEC-1)",
      assumeRolePolicy: trust.json,
      statements: task,
    });
  }

  private role(spec: {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly assumeRolePolicy: string;
    readonly statements: PolicyStatement[];
  }): IamRole {
    const { id, name, description, assumeRolePolicy, statements } = spec;
    const role = new IamRole(this, id, { name, description, assumeRolePolicy, maxSessionDuration: 3600 });
    if (statements.length) {
      const document = new DataAwsIamPolicyDocument(this, `${id}-policy-document`, { statement: statements });
      new IamRolePolicy(this, `${id}-policy`, { name: `${name}-policy`, role: role.id, policy: document.json });
    }
    return role;
  }
}
