import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { AccessConfig, BackendKind, EnvironmentConfig } from "../environments/types";
import {
  AccessRole,
  GITHUB_ACTIONS,
  OidcProvider,
  PermissionsBoundary,
  stateAccessStatements,
  TERRAFORM_CLOUD,
  WebIdentityRole,
} from "../modules/access";
import { ComponentTags } from "../modules/common/component-tags";
import { roleArnParts } from "../modules/common/iam-arn";
import { IsolatedStack } from "./isolated-stack";
import { configureBackend, stateKeyPrefix } from "./support/backend";
import {
  DEPLOY_SESSION_SECONDS,
  ACCESS_PATH,
  githubRoleName,
  planEnvironmentName,
  PERMISSIONS_BOUNDARY,
  PROGRAM_ROLE_PREFIX,
  permissionsBoundaryArn,
  secretPrefix,
  stateRoleArn,
  terraformCloudRoleName,
} from "./support/contracts";
import { accountProviderSettings } from "./support/providers";

/** An environment an account holds, with the stacks it deploys there (each a Terraform Cloud workspace and a state key). */
interface AccessEnvironment {
  readonly config: EnvironmentConfig;
  readonly stacks: readonly string[];
}

export interface AccessStackProps {
  /** The environments of one account (more than one only when they share it on purpose); each has `account.roleArn`. */
  readonly environments: readonly AccessEnvironment[];
  readonly access: AccessConfig;
  /** Backend of this run: the first environment's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The state account, whose bootstrap creates each environment's plan and
   * deploy state roles: plan roles reach the plan one, deploy roles the deploy one.
   * @default - none: the backends' own role (`backend.s3.roleArn`) for both, else the bucket directly
   */
  readonly stateAccountId?: string;
}

/** AWS Organizations creates it in every member account it creates, trusted by the management account. */
const DEFAULT_BOOTSTRAP_ROLE = "OrganizationAccountAccessRole";

/**
 * ACC-3: who may act in an environment's account, as code. Applied once (and
 * after every change) by an administrator, through the account's bootstrap role,
 * before the environment: the GitHub Actions OIDC provider and, per
 * environment, a read-only plan role trusted by the repository's pull
 * requests (and its default branch, for the drift check) and a deploy role
 * trusted by the environment's GitHub environment only; the role the
 * program's providers assume (`account.roleArn`), trusted by those deploy
 * roles and the administrators; with `terraformCloud`, Terraform Cloud's OIDC
 * provider and a plan and an apply role per workspace. Every role carries the
 * account's permissions boundary, and so do the roles the program creates
 * (PermissionsBoundaryAspect): nothing the deploy path runs can change these
 * identities or make a principal without the boundary.
 */
export class AccessStack extends IsolatedStack {
  readonly boundary: PermissionsBoundary;
  readonly github: OidcProvider;
  readonly terraformCloud?: OidcProvider;
  /** The role the program's AWS providers assume (`account.roleArn`). */
  readonly programRole: AccessRole;
  readonly githubPlanRoles: Record<string, WebIdentityRole> = {};
  readonly githubDeployRoles: Record<string, WebIdentityRole> = {};
  /** Per workspace: the roles of its plan and apply phases. */
  readonly terraformCloudRoles: Record<string, { plan: WebIdentityRole; apply: WebIdentityRole }> = {};

  constructor(scope: Construct, id: string, props: AccessStackProps) {
    super(scope, id);
    const [first] = props.environments;
    const { account } = first.config;
    const program = account.roleArn ? roleArnParts(account.roleArn) : undefined;
    if (!account.id || !account.roleArn || !program) {
      throw new Error(
        `AccessStack "${id}": environment "${first.config.name}" needs account.id and account.roleArn (the multi-account layout)`,
      );
    }
    const { partition } = program;
    const iam = (kind: string, path: string, name: string) => `arn:${partition}:iam::${account.id}:${kind}${path}${name}`;
    // Not the program's role, which is made here: the account's bootstrap role, which the administrators' sessions assume.
    const bootstrapRole = iam("role", "/", props.access.bootstrapRoleName ?? DEFAULT_BOOTSTRAP_ROLE);
    new AwsProvider(this, "aws", {
      region: account.region,
      ...accountProviderSettings(this, { id: account.id, roleArn: bootstrapRole }),
      defaultTags: [{ tags: { ...props.tags } }],
    });
    configureBackend(this, id, props.backend, first.config.backend);

    const { owner, repository, defaultBranch = "main" } = props.access.github;
    const repo = `repo:${owner}/${repository}`;
    this.github = new OidcProvider(this, "github-oidc", { issuer: GITHUB_ACTIONS });
    if (props.access.terraformCloud) this.terraformCloud = new OidcProvider(this, "terraform-cloud-oidc", { issuer: TERRAFORM_CLOUD });

    const roleNames = props.environments.flatMap(({ config, stacks }) => [
      githubRoleName(config, "plan"),
      githubRoleName(config, "deploy"),
      ...(props.access.terraformCloud
        ? stacks.flatMap((w) => [terraformCloudRoleName(w, "plan"), terraformCloudRoleName(w, "apply")])
        : []),
    ]);
    const boundaryArn = permissionsBoundaryArn(account.roleArn);
    this.boundary = new PermissionsBoundary(this, "boundary", {
      policyName: PERMISSIONS_BOUNDARY,
      path: ACCESS_PATH,
      arn: boundaryArn,
      partition,
      protectedIdentities: [
        boundaryArn,
        account.roleArn,
        ...roleNames.map((name) => iam("role", ACCESS_PATH, name)),
        this.github.arn,
        ...(this.terraformCloud ? [this.terraformCloud.arn] : []),
      ],
      protectedBuckets: [...new Set(props.environments.flatMap(({ config }) => s3Backends(config).map((b) => b.bucket)))],
      managedRoles: { accountId: account.id, namePattern: `${PROGRAM_ROLE_PREFIX}*` },
    });
    const bounded = { permissionsBoundary: boundaryArn, partition, path: ACCESS_PATH };

    for (const { config, stacks } of props.environments) {
      const env = config.name;
      this.githubPlanRoles[env] = new WebIdentityRole(this, `${env}-github-plan`, {
        ...bounded,
        roleName: githubRoleName(config, "plan"),
        description: `Plans ${env} from the GitHub environment ${planEnvironmentName(config)} of ${owner}/${repository} (and its ${defaultBranch} branch, for the drift check): read-only`,
        provider: this.github,
        // A pull request's plan job runs its Terraform with this role: only in the plan environment, which may require a reviewer.
        subjects: [`${repo}:environment:${planEnvironmentName(config)}`, `${repo}:ref:refs/heads/${defaultBranch}`],
        managedPolicies: ["ReadOnlyAccess"],
        statements: [
          ...refreshStatements(config, account.id, partition),
          ...stateStatements(config, stacks, "read", { partition, accountId: account.id }, props.stateAccountId),
        ],
      });
      this.githubDeployRoles[env] = new WebIdentityRole(this, `${env}-github-deploy`, {
        ...bounded,
        roleName: githubRoleName(config, "deploy"),
        description: `Deploys ${env} from the GitHub environment "${env}" of ${owner}/${repository}, through the program's role`,
        provider: this.github,
        subjects: [`${repo}:environment:${env}`],
        maxSessionDurationSeconds: DEPLOY_SESSION_SECONDS,
        statements: [
          { sid: "ThroughTheProgramRole", actions: ["sts:AssumeRole"], resources: [account.roleArn] },
          ...stateStatements(config, stacks, "write", { partition, accountId: account.id }, props.stateAccountId),
        ],
      });
      if (this.terraformCloud) {
        const { organization, project } = config.backend.cloud;
        for (const workspace of stacks) {
          const subject = (phase: string) => `organization:${organization}:project:${project}:workspace:${workspace}:run_phase:${phase}`;
          this.terraformCloudRoles[workspace] = {
            plan: new WebIdentityRole(this, `${workspace}-tfc-plan`, {
              ...bounded,
              roleName: terraformCloudRoleName(workspace, "plan"),
              description: `Plan phase of Terraform Cloud workspace ${organization}/${workspace}: read-only`,
              provider: this.terraformCloud,
              subjects: [subject("plan")],
              managedPolicies: ["ReadOnlyAccess"],
              statements: refreshStatements(config, account.id, partition),
            }),
            apply: new WebIdentityRole(this, `${workspace}-tfc-apply`, {
              ...bounded,
              roleName: terraformCloudRoleName(workspace, "apply"),
              description: `Apply phase of Terraform Cloud workspace ${organization}/${workspace}`,
              provider: this.terraformCloud,
              subjects: [subject("apply")],
              managedPolicies: ["AdministratorAccess"],
              maxSessionDurationSeconds: DEPLOY_SESSION_SECONDS,
            }),
          };
        }
      }
    }

    this.programRole = new AccessRole(this, "program-role", {
      permissionsBoundary: boundaryArn,
      partition,
      roleName: program.name,
      path: program.path,
      description: "Assumed by the program's AWS providers: by the environments' deploy roles and the administrators",
      managedPolicies: ["AdministratorAccess"],
      trust: {
        statement: [
          {
            sid: "DeployRolesAndAdministrators",
            actions: ["sts:AssumeRole"],
            principals: [
              {
                type: "AWS",
                identifiers: [...Object.values(this.githubDeployRoles).map((r) => r.arn), ...props.access.administrators],
              },
            ],
            condition: account.externalId
              ? [{ test: "StringEquals", variable: "sts:ExternalId", values: [account.externalId] }]
              : undefined,
          },
        ],
      },
    });

    const arns = (roles: Record<string, AccessRole>) => Object.fromEntries(Object.entries(roles).map(([k, r]) => [k, r.arn]));
    new TerraformOutput(this, "program_role_arn", { value: this.programRole.arn });
    new TerraformOutput(this, "permissions_boundary_arn", { value: this.boundary.policy.arn });
    new TerraformOutput(this, "github_oidc_provider_arn", { value: this.github.arn });
    new TerraformOutput(this, "github_plan_role_arns", { value: arns(this.githubPlanRoles) });
    new TerraformOutput(this, "github_deploy_role_arns", { value: arns(this.githubDeployRoles) });
    if (this.terraformCloud) {
      new TerraformOutput(this, "terraform_cloud_role_arns", {
        value: Object.fromEntries(Object.entries(this.terraformCloudRoles).map(([w, r]) => [w, { plan: r.plan.arn, apply: r.apply.arn }])),
      });
    }
    ComponentTags.apply(this, "access");
  }
}

/** The S3 state settings of an environment's stacks: its own, and its standby's. */
const s3Backends = (config: EnvironmentConfig) => [
  config.backend.s3,
  ...(config.disasterRecovery.standby ? [config.disasterRecovery.standby.backend.s3] : []),
];

/**
 * What a plan's refresh reads beyond ReadOnlyAccess: the provider reads a secret
 * version with GetSecretValue (and the key that encrypts it, through Secrets
 * Manager), so a plan role may read the environment's own secrets, no others.
 */
function refreshStatements(config: EnvironmentConfig, accountId: string, partition: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "RefreshSecretVersions",
      actions: ["secretsmanager:GetSecretValue"],
      resources: [`arn:${partition}:secretsmanager:*:${accountId}:secret:${secretPrefix(config)}*`],
    },
    {
      sid: "RefreshSecretVersionsDecrypt",
      actions: ["kms:Decrypt"],
      resources: [`arn:${partition}:kms:*:${accountId}:key/*`],
      condition: [{ test: "StringLike", variable: "kms:ViaService", values: ["secretsmanager.*.amazonaws.com"] }],
    },
  ];
}

/**
 * What reaching an environment's S3 state takes: its state role in the state
 * account (the plan one to read, the deploy one to write), else the role its
 * backends assume, else its stacks' keys in their buckets.
 */
function stateStatements(
  config: EnvironmentConfig,
  stacks: readonly string[],
  access: "read" | "write",
  { partition, accountId }: { readonly partition: string; readonly accountId: string },
  stateAccountId: string | undefined,
): DataAwsIamPolicyDocumentStatement[] {
  const backends = s3Backends(config);
  const roles = stateAccountId
    ? [stateRoleArn(stateAccountId, config, access === "read" ? "plan" : "deploy")]
    : [...new Set(backends.flatMap((b) => b.roleArn ?? []))];
  if (roles.length) return [{ sid: "StateThroughItsRole", actions: ["sts:AssumeRole"], resources: roles }];
  const prefixes = stacks.map(stateKeyPrefix);
  return stateAccessStatements(
    // The buckets are this account's (no state role): so are their keys, whose ids this stack cannot know.
    [...new Map(backends.map((b) => [b.bucket, b])).values()].map((b) => ({
      bucketArn: `arn:${partition}:s3:::${b.bucket}`,
      kmsKeyArn: `arn:${partition}:kms:${b.region}:${accountId}:key/*`,
      prefixes,
    })),
    access,
  );
}
