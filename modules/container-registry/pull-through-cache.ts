import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { imageLifecyclePolicy, lifecycleProblems } from "./lifecycle";

export interface PullThroughCacheProps {
  readonly account: AwsAccount;
  /**
   * Repository prefix to upstream registry, e.g. `{ "ecr-public": "public.ecr.aws" }`.
   * A rule is a singleton of the account's registry in its region (one per
   * prefix): exactly one stack per account and region may create it.
   */
  readonly upstreams: Readonly<Record<string, string>>;
  /** Encrypts the cache repositories ECR creates (CKV_AWS_136). */
  readonly kmsKeyArn: string;
  /** Name of the role ECR assumes to create them (IAM names are account-wide). */
  readonly roleName: string;
  /** @default 30 */
  readonly keepTaggedImages?: number;
  /** @default 7 */
  readonly untaggedExpiryDays?: number;
}

/**
 * ECR pull-through caches of public registries (tasks have no internet
 * egress, NET-4): a cache rule per prefix and a repository creation template
 * for it, so every repository ECR creates on a first pull is KMS-encrypted,
 * expires old images and keeps mutable tags (a cache follows its upstream's
 * tags). A template with a KMS key needs a role ECR assumes (ECR User Guide,
 * "Creating a repository creation template": KMS keys or resource tags need
 * a custom role).
 */
export class PullThroughCache extends Construct {
  readonly rules: Readonly<Record<string, EcrPullThroughCacheRule>>;
  readonly templates: Readonly<Record<string, EcrRepositoryCreationTemplate>>;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PullThroughCacheProps) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 30;
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    const problems = lifecycleProblems(keep, untaggedDays);
    const prefixes = Object.keys(props.upstreams ?? {});
    if (prefixes.length === 0) problems.push("upstreams: name at least one prefix and its upstream registry");
    for (const prefix of prefixes) {
      // ECR: 2-30 characters, lower-case letters, digits, and . _ - / inside; ROOT is the templates' catch-all.
      if (!/^[a-z0-9][a-z0-9._/-]{0,28}[a-z0-9]$/.test(prefix))
        problems.push(`upstreams: "${prefix}" is not an ECR repository prefix (2-30 lower-case characters)`);
    }
    if (!/^[\w+=,.@-]{1,64}$/.test(props.roleName ?? ""))
      problems.push(`roleName: "${props.roleName ?? ""}" is not an IAM role name (1-64 characters)`);
    refuseProps("PullThroughCache", id, problems);

    const { account } = props;
    // ECR User Guide, "Create an IAM role for repository creation templates": the documented trust
    // has no condition, and ECR does not document the source keys it sends; a template can name the
    // role only with iam:PassRole in this account, which is what keeps other accounts out.
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ecr.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "ECR: creates the pull-through cache repositories from their creation templates",
      assumeRolePolicy: trust.json,
    });
    const cacheRepositories = prefixes.map(
      (prefix) => `arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/${prefix}/*`,
    );
    // The policy of ECR User Guide, "Create a custom policy for repository creation templates", scoped to the caches and the key.
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        {
          sid: "CreateCacheRepositories",
          actions: ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"],
          resources: cacheRepositories,
        },
        { sid: "EncryptThemWithTheKey", actions: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], resources: [props.kmsKeyArn] },
      ],
    });
    new IamRolePolicy(this, "role-policy", { name: props.roleName, role: this.role.id, policy: policy.json });

    const lifecycle = imageLifecyclePolicy(keep, untaggedDays);
    const rules: Record<string, EcrPullThroughCacheRule> = {};
    const templates: Record<string, EcrRepositoryCreationTemplate> = {};
    for (const [prefix, upstream] of Object.entries(props.upstreams)) {
      templates[prefix] = new EcrRepositoryCreationTemplate(this, `template-${prefix}`, {
        prefix,
        appliedFor: ["PULL_THROUGH_CACHE"],
        description: `Cache repositories of ${upstream}`,
        customRoleArn: this.role.arn,
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
        imageTagMutability: "MUTABLE",
        lifecyclePolicy: lifecycle,
      });
      // The template first: a pull right after the rule exists must find it.
      rules[prefix] = new EcrPullThroughCacheRule(this, `rule-${prefix}`, {
        ecrRepositoryPrefix: prefix,
        upstreamRegistryUrl: upstream,
        dependsOn: [templates[prefix]],
      });
    }
    this.rules = rules;
    this.templates = templates;
    ComponentTags.apply(this, "container-registry");
  }
}
