import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrReplicationConfiguration } from "@cdktf/provider-aws/lib/ecr-replication-configuration";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { Construct } from "constructs";
import { namedRoles, roleArnShape } from "../common/iam-arn";
import { ComponentTags } from "../common/component-tags";
import type { AwsAccount } from "../common/aws-account";
import { refuseProps } from "../common/props";
import { imageLifecyclePolicy, lifecycleProblems } from "./lifecycle";
import { PUSH_AND_SCAN_ACTIONS } from "./repository-access";

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
   * Roles of other accounts that push images to a repository and read their
   * scan findings, by image name: a delivery pipeline in another account
   * (cross-account delivery). The repository policy admits exactly them; their
   * own policies must allow it too.
   * @default - none: only this account's principals, by their IAM policies
   */
  readonly pushers?: Readonly<Record<string, readonly string[]>>;
}

/**
 * One ECR repository per image (CMP-7): scanned on push (CKV_AWS_163),
 * KMS-encrypted (CKV_AWS_136), with a lifecycle that keeps the newest tagged
 * images and drops untagged layers. Tags stay mutable: the services deploy
 * moving tags (`latest`, `phase2`) as the seed names them.
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
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.push(`replication.regions[${i}]: "${region}" is not a region name`);
      if (regions.indexOf(region) !== i) problems.push(`replication.regions[${i}]: "${region}" is listed twice`);
    });
    for (const [image, roles] of Object.entries(props.pushers ?? {})) {
      if (!props.images.includes(image)) problems.push(`pushers.${image}: is not one of the images`);
      if (roles.length === 0) problems.push(`pushers.${image}: name at least one role`);
      for (const role of roles) if (!roleArnShape(role)) problems.push(`pushers.${image}: "${role}" is not an IAM role ARN`);
    }
    problems.push(...lifecycleProblems(keep, untaggedDays));
    refuseProps("ContainerRegistry", id, problems);

    const lifecycle = imageLifecyclePolicy(keep, untaggedDays);
    const repositories: Record<string, EcrRepository> = {};
    for (const image of props.images) {
      const repository = new EcrRepository(this, image, {
        name: `${props.prefix}/${image}`,
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
      });
      new EcrLifecyclePolicy(this, `${image}-lifecycle`, { repository: repository.name, policy: lifecycle });
      const pushers = props.pushers?.[image];
      if (pushers?.length) {
        const policy = new DataAwsIamPolicyDocument(this, `${image}-access`, {
          statement: [{ sid: "NamedRolesPushAndScan", actions: [...PUSH_AND_SCAN_ACTIONS], ...namedRoles(pushers) }],
        });
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
