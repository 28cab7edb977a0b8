import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrReplicationConfiguration } from "@cdktf/provider-aws/lib/ecr-replication-configuration";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { Construct } from "constructs";
import { namedRoles, roleArnShape } from "../common/iam-arn";
import { ComponentTags } from "../common/component-tags";
import type { AwsAccount } from "../common/aws-account";
import { isRegionName } from "../common/limits";
import { refuseProps } from "../common/props";
import { imageLifecyclePolicy, lifecycleProblems } from "./lifecycle";
import { PUSH_ACTIONS, PUSH_AND_SCAN_ACTIONS } from "./repository-access";

export { PullThroughCache, type PullThroughCacheProps } from "./pull-through-cache";

/** A repository by name: its URL (append `:<tag>` for an image) and ARN (for pull permissions). */
export interface RepositoryRef {
  readonly url: string;
  readonly arn: string;
}

/**
 * The URL and ARN of repository `name` of `account`'s registry in its region
 * (or in `region`): for repositories this program does not create here, i.e.
 * pull-through caches and ECR's replicas.
 */
export function repositoryRef(account: AwsAccount, name: string, region: string = account.region): RepositoryRef {
  return {
    url: `${account.accountId}.dkr.ecr.${region}.amazonaws.com/${name}`,
    arn: `arn:${account.partition}:ecr:${region}:${account.accountId}:repository/${name}`,
  };
}

export interface ContainerRegistryProps {
  /** Prefix of every repository name, e.g. `ecg-prod`: repositories are `<prefix>/<image>`. */
  readonly prefix: string;
  /** Image names, e.g. `ecg-backend-api` (CMP-7). */
  readonly images: readonly string[];
  /** KMS key that encrypts the images (CKV_AWS_136). */
  readonly kmsKeyArn: string;
  /** The registry's account: `pushedBy`'s roles of other accounts are allowed explicitly. */
  readonly accountId: string;
  /** Tagged images kept per repository; older ones expire. @default 30 */
  readonly keepTaggedImages?: number;
  /** Days an untagged image is kept. @default 7 */
  readonly untaggedExpiryDays?: number;
  /**
   * Copies every image pushed to `<prefix>/*` to these regions of the same
   * account (DR: a standby there pulls from its own region, also while this
   * one is down). ECR creates the replica repositories. An account and region
   * holds ONE replication configuration: only one registry per account and
   * region may set this.
   * @default - no replication
   */
  readonly replication?: { readonly regions: readonly string[]; readonly registryId: string };
  /**
   * The only roles that may push images (a delivery pipeline's build or
   * promotion role): every other principal is denied the push actions by the
   * repository policy, administrators included; those of other accounts are
   * allowed the push and scan reads too (their own policies must also allow it).
   * @default - anyone this account's IAM allows
   */
  readonly pushedBy?: readonly string[];
}

/**
 * One ECR repository per image (CMP-7): scanned on push (CKV_AWS_163),
 * KMS-encrypted (CKV_AWS_136), tags immutable, with a lifecycle that keeps the
 * newest tagged images and drops untagged layers; optionally pushed to by
 * named roles only (`pushedBy`).
 */
export class ContainerRegistry extends Construct {
  /** Repositories by image name. */
  readonly repositories: Readonly<Record<string, EcrRepository>>;
  /** Repository URLs by image name (append `:<tag>` for an image reference). */
  readonly repositoryUrls: Readonly<Record<string, string>>;
  /** URL and ARN by image name. */
  readonly repositoryRefs: Readonly<Record<string, RepositoryRef>>;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 30;
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    const { accountId } = props;
    const problems: string[] = [];
    if (props.images.length === 0) problems.push("images: list at least one image");
    props.images.forEach((image, i) => {
      if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(image)) problems.push(`images[${i}]: "${image}" is not an ECR repository name`);
      if (props.images.indexOf(image) !== i) problems.push(`images[${i}]: "${image}" is listed twice`);
    });
    const regions = props.replication?.regions ?? [];
    if (props.replication && regions.length === 0) problems.push("replication.regions: name at least one region");
    // ECR: at most 25 destinations over all rules of a registry.
    if (regions.length > 25) problems.push(`replication.regions: ${regions.length} regions; ECR replicates to at most 25`);
    regions.forEach((region, i) => {
      if (!isRegionName(region)) problems.push(`replication.regions[${i}]: "${region}" is not a region name`);
      if (regions.indexOf(region) !== i) problems.push(`replication.regions[${i}]: "${region}" is listed twice`);
    });
    const pushedBy = props.pushedBy;
    if (pushedBy && pushedBy.length === 0) problems.push("pushedBy: name at least one role (an empty list would let nobody push)");
    for (const role of pushedBy ?? []) if (!roleArnShape(role)) problems.push(`pushedBy: "${role}" is not an IAM role ARN`);
    problems.push(...lifecycleProblems(keep, untaggedDays));
    refuseProps("ContainerRegistry", id, problems);

    const lifecycle = imageLifecyclePolicy(keep, untaggedDays);
    const repositories: Record<string, EcrRepository> = {};
    for (const image of props.images) {
      const repository = new EcrRepository(this, image, {
        name: `${props.prefix}/${image}`,
        // A tag names one image for good: a release deploys by digest, and no later push can move what it promoted.
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
      });
      new EcrLifecyclePolicy(this, `${image}-lifecycle`, { repository: repository.name, policy: lifecycle });
      if (pushedBy?.length) {
        const policy = new DataAwsIamPolicyDocument(this, `${image}-access`, { statement: pushStatements(pushedBy, accountId) });
        new EcrRepositoryPolicy(this, `${image}-policy`, { repository: repository.name, policy: policy.json });
      }
      repositories[image] = repository;
    }
    const replication = props.replication;
    if (replication) {
      new EcrReplicationConfiguration(this, "replication", {
        replicationConfiguration: {
          rule: [
            {
              destination: replication.regions.map((region) => ({ region, registryId: replication.registryId })),
              repositoryFilter: [{ filter: `${props.prefix}/`, filterType: "PREFIX_MATCH" }],
            },
          ],
        },
      });
    }
    this.repositories = repositories;
    this.repositoryUrls = Object.fromEntries(Object.entries(repositories).map(([image, r]) => [image, r.repositoryUrl]));
    this.repositoryRefs = Object.fromEntries(
      Object.entries(repositories).map(([image, r]) => [image, { url: r.repositoryUrl, arn: r.arn }]),
    );
    ComponentTags.apply(this, "container-registry");
  }
}

/**
 * A repository policy that lets only `roles` push: a Deny of the push actions
 * for every other principal, and an Allow of push and scan reads for the roles
 * of other accounts than `accountId` (a cross-account push needs the resource
 * policy's grant; the registry's own account needs none).
 */
function pushStatements(roles: readonly string[], accountId: string): DataAwsIamPolicyDocumentStatement[] {
  const elsewhere = roles.filter((role) => roleArnShape(role)?.account !== accountId);
  return [
    {
      sid: "OnlyNamedRolesPush",
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: [...PUSH_ACTIONS],
      condition: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: [...roles] }],
    },
    ...(elsewhere.length ? [{ sid: "NamedRolesPushAndScan", actions: [...PUSH_AND_SCAN_ACTIONS], ...namedRoles(elsewhere) }] : []),
  ];
}
