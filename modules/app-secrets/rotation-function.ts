import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { AssetType, type ITerraformDependable, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { LAMBDA_NODE_RUNTIME } from "../common/lambda-runtime";
import { zippedFolder } from "../common/zip";

/** A secret the function rotates: `id` and `arn` of an `aws_secretsmanager_secret`. */
export interface RotatedSecretRef {
  /** Short name, unique among the function's secrets (construct ids, permission statement ids). */
  readonly key: string;
  readonly id: string;
  readonly arn: string;
}

export interface RotationFunctionProps {
  /** Function, role and log group name. */
  readonly functionName: string;
  readonly description: string;
  readonly account: AwsAccount;
  /** Folder of the function's code (lambda/secret-rotation), zipped at synth (deterministically). */
  readonly codePath: string;
  /** The secrets it may read and write. */
  readonly secrets: readonly RotatedSecretRef[];
  /** The secrets' KMS key. */
  readonly kmsKeyArn: string;
  readonly logsKmsKeyArn: string;
  readonly logRetentionDays: number;
  /** The function's environment: what it rotates and how (lambda/secret-rotation `loadConfig`). */
  readonly environment: Readonly<Record<string, string>>;
  /** What else the function does in `setSecret`/`testSecret` (e.g. set a database password). @default - nothing */
  readonly statements?: readonly DataAwsIamPolicyDocumentStatement[];
  /** @default 30 */
  readonly timeoutSeconds?: number;
}

/**
 * The project's Secrets Manager rotation function (lambda/secret-rotation)
 * with its own role and log group, invokable by Secrets Manager for the given
 * secrets only. `schedule` attaches a secret's rotation.
 */
export class RotationFunction extends Construct {
  readonly function: LambdaFunction;
  private readonly permissions = new Map<string, LambdaPermission>();

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    const { functionName, account } = props;
    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "role", { name: functionName, description: props.description, assumeRolePolicy: trust.json });
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "RotateTheseSecrets",
        actions: [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ],
        resources: props.secrets.map((secret) => secret.arn),
      },
      // GetRandomPassword has no resource: it reads no secret.
      { sid: "GenerateValues", actions: ["secretsmanager:GetRandomPassword"], resources: ["*"] },
      {
        sid: "UseTheSecretsKey",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [props.kmsKeyArn],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${account.region}.amazonaws.com`] }],
      },
      ...(props.statements ?? []),
      { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:log-stream:*`] },
      // X-Ray's write API takes no resource.
      { sid: "SendTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] },
    ];
    const policy = new DataAwsIamPolicyDocument(this, "policy", { statement: statements });
    new IamRolePolicy(this, "role-policy", { name: functionName, role: role.id, policy: policy.json });

    const zip = zippedFolder(props.codePath);
    const code = new TerraformAsset(this, "code", { path: zip.path, type: AssetType.FILE });
    this.function = new LambdaFunction(this, "function", {
      functionName,
      description: props.description,
      role: role.arn,
      runtime: LAMBDA_NODE_RUNTIME,
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: zip.base64Sha256,
      timeout: props.timeoutSeconds ?? 30,
      memorySize: 256,
      environment: { variables: { ...props.environment } },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      dependsOn: [logGroup],
    });
    for (const secret of props.secrets) {
      // Only Secrets Manager, for this secret, may invoke the function.
      this.permissions.set(
        secret.key,
        new LambdaPermission(this, `${secret.key}-invoke`, {
          statementId: `SecretsManager-${secret.key}`,
          action: "lambda:InvokeFunction",
          functionName: this.function.functionName,
          principal: "secretsmanager.amazonaws.com",
          sourceArn: secret.arn,
          sourceAccount: account.accountId,
        }),
      );
    }
  }

  /**
   * Rotates `secret` every `days` days. `rotateImmediately`: whether the first
   * rotation runs on creation; false where the first value is already random.
   * `initialValue`: the secret's first version. Even without an immediate
   * rotation, RotateSecret runs the function's testSecret step on the current
   * value (Secrets Manager API Reference, RotateSecret RotateImmediately), so
   * the schedule waits for it.
   */
  schedule(
    scope: Construct,
    id: string,
    secret: RotatedSecretRef,
    options: { readonly days: number; readonly rotateImmediately: boolean; readonly initialValue: ITerraformDependable },
  ): SecretsmanagerSecretRotation {
    const permission = this.permissions.get(secret.key);
    if (!permission) throw new Error(`RotationFunction "${this.node.id}": "${secret.key}" is not one of its secrets`);
    return new SecretsmanagerSecretRotation(scope, id, {
      secretId: secret.id,
      rotationLambdaArn: this.function.arn,
      rotationRules: { automaticallyAfterDays: options.days },
      rotateImmediately: options.rotateImmediately,
      dependsOn: [permission, options.initialValue],
    });
  }
}
