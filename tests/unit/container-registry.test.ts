import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Testing } from "cdktf";
import { ContainerRegistry, type ContainerRegistryProps } from "../../modules/container-registry";
import { PUSH_ACTIONS, PUSH_AND_SCAN_ACTIONS } from "../../modules/container-registry/repository-access";
import { resourcesOf, statementsOf, synthJson } from "../helpers";

const PROMOTE_ROLE = "arn:aws:iam::444444444444:role/ecg-release-promote-dev";

const props: ContainerRegistryProps = {
  prefix: "ecg-test",
  images: ["ecg-backend-api", "ecg-ml-audio", "ecg-gpu-render"],
  kmsKeyArn: "arn:aws:kms:ap-northeast-2:123456789012:key/images",
  accountId: "123456789012",
};
const synth = (overrides: Partial<ContainerRegistryProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new ContainerRegistry(scope, "registry", { ...props, ...overrides })));

describe("ContainerRegistry module", () => {
  const registry = synth();

  it("[CMP-7] creates one repository per image, scanned on push, KMS-encrypted, its tags immutable", () => {
    expect(
      resourcesOf(registry, "aws_ecr_repository")
        .map(([, r]) => r.name)
        .sort(),
    ).toEqual(["ecg-test/ecg-backend-api", "ecg-test/ecg-gpu-render", "ecg-test/ecg-ml-audio"]);
    expect(JSON.stringify(registry)).toHaveResourceWithProperties(EcrRepository, {
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: props.kmsKeyArn }],
      image_tag_mutability: "IMMUTABLE",
    });
  });

  it("[CMP-7] expires untagged images after 7 days and keeps the newest 30 tagged ones", () => {
    const policies = resourcesOf(registry, "aws_ecr_lifecycle_policy").map(([, p]) => JSON.parse(p.policy));
    expect(policies).toHaveLength(3);
    expect(policies[0].rules.map((r: any) => r.selection)).toEqual([
      { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
    ]);
  });

  it("tags its resources with Component=container-registry", () => {
    for (const [, r] of resourcesOf(registry, "aws_ecr_repository")) expect(r.tags.Component).toBe("container-registry");
  });

  it("[MON-4] makes no pull-through cache rule itself (PullThroughCache does, once per account and region)", () => {
    expect(resourcesOf(registry, "aws_ecr_pull_through_cache_rule")).toEqual([]);
    expect(resourcesOf(registry, "aws_ecr_repository_creation_template")).toEqual([]);
  });

  it("[DR-1] [SC-2] replicates the prefix's images to the failover region when asked, and not by default", () => {
    expect(resourcesOf(registry, "aws_ecr_replication_configuration")).toEqual([]);
    const replicated = synth({ replication: { regions: ["ap-northeast-1"], registryId: "123456789012" } });
    const [[, config]] = resourcesOf(replicated, "aws_ecr_replication_configuration");
    expect(config.replication_configuration).toEqual({
      rule: [
        {
          destination: [{ region: "ap-northeast-1", registry_id: "123456789012" }],
          repository_filter: [{ filter: "ecg-test/", filter_type: "PREFIX_MATCH" }],
        },
      ],
    });
  });

  it.each<[Partial<ContainerRegistryProps>, string]>([
    [{ replication: { regions: [], registryId: "123456789012" } }, "replication.regions: name at least one region"],
    [{ replication: { regions: ["tokyo"], registryId: "123456789012" } }, 'replication.regions[0]: "tokyo" is not a region name'],
    [
      { replication: { regions: ["ap-northeast-1", "ap-northeast-1"], registryId: "123456789012" } },
      'replication.regions[1]: "ap-northeast-1" is listed twice',
    ],
    [{ images: [] }, "images: list at least one image"],
    [{ images: ["Bad Name"] }, 'images[0]: "Bad Name" is not an ECR repository name'],
    [{ images: ["a", "a"] }, 'images[1]: "a" is listed twice'],
    [{ keepTaggedImages: 0 }, "keepTaggedImages: 0 must be a whole number >= 1"],
    [{ untaggedExpiryDays: 1.5 }, "untaggedExpiryDays: 1.5 must be a whole number >= 1"],
    [{ pushedBy: [] }, "pushedBy: name at least one role (an empty list would let nobody push)"],
    [{ pushedBy: ["arn:aws:iam::444444444444:user/ci"] }, 'pushedBy: "arn:aws:iam::444444444444:user/ci" is not an IAM role ARN'],
  ])("refuses %p", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  const DENY_OTHERS = (roles: string[]) => ({
    sid: "OnlyNamedRolesPush",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions: [...PUSH_ACTIONS],
    condition: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: roles }],
  });

  it("[ACC-4] with pushedBy, every repository denies the push to every other principal; a role of another account is also allowed to push and read scans", () => {
    const withPushers = synth({ pushedBy: [PROMOTE_ROLE] });
    const policies = resourcesOf(withPushers, "aws_ecr_repository_policy");
    expect(policies).toHaveLength(3);
    for (const [, policy] of policies) {
      expect(statementsOf(withPushers, policy.policy)).toEqual([
        DENY_OTHERS([PROMOTE_ROLE]),
        {
          sid: "NamedRolesPushAndScan",
          actions: [...PUSH_AND_SCAN_ACTIONS],
          principals: [{ type: "AWS", identifiers: ["arn:aws:iam::444444444444:root"] }],
          condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [PROMOTE_ROLE] }],
        },
      ]);
    }
    expect(resourcesOf(registry, "aws_ecr_repository_policy")).toEqual([]);
  });

  it("[ACC-4] a pusher of the registry's own account needs no Allow: only the Deny of everyone else", () => {
    const own = "arn:aws:iam::123456789012:role/ecg-release-promote-dev";
    const json = synth({ pushedBy: [own] });
    const [, policy] = resourcesOf(json, "aws_ecr_repository_policy")[0];
    expect(statementsOf(json, policy.policy)).toEqual([DENY_OTHERS([own])]);
  });
});
