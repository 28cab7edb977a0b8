import { Testing } from "cdktf";
import { PullThroughCache, type PullThroughCacheProps } from "../../modules/container-registry";
import { errorOf, only, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/images";
const props: PullThroughCacheProps = {
  account: TEST_ACCOUNT,
  upstreams: { "ecr-public": "public.ecr.aws" },
  kmsKeyArn: KEY,
  roleName: "ecg-test-ecr-cache-templates",
};
const synth = (overrides: Partial<PullThroughCacheProps> = {}): SynthesizedStack =>
  synthJson(Testing.synthScope((scope) => new PullThroughCache(scope, "cache", { ...props, ...overrides })));

describe("PullThroughCache module", () => {
  const stack = synth();
  const [ruleId, rule] = only(stack, "aws_ecr_pull_through_cache_rule");
  const [templateId, template] = only(stack, "aws_ecr_repository_creation_template");
  const [roleId, role] = only(stack, "aws_iam_role");

  it("[MON-4] [NET-4] caches the upstream registry under its prefix (the X-Ray daemon comes from ECR Public; tasks have no internet egress)", () => {
    expect(rule).toMatchObject({ ecr_repository_prefix: "ecr-public", upstream_registry_url: "public.ecr.aws" });
    // The template exists before a first pull can create a repository.
    expect(rule.depends_on).toEqual([`aws_ecr_repository_creation_template.${templateId}`]);
    expect(ruleId).toContain("rule-ecr-public");
  });

  it("[CMP-7] [SEC-4] [ECR User Guide, \"Templates to control repositories created during a pull through cache, create on push, or replication action\": a template applied for PULL_THROUGH_CACHE sets the cache repositories' settings] creates the cache repositories KMS-encrypted, with mutable tags and the registry's lifecycle", () => {
    expect(template).toMatchObject({
      prefix: "ecr-public",
      applied_for: ["PULL_THROUGH_CACHE"],
      encryption_configuration: [{ encryption_type: "KMS", kms_key: KEY }],
      // A cache follows its upstream's tags (latest moves).
      image_tag_mutability: "MUTABLE",
      custom_role_arn: `\${aws_iam_role.${roleId}.arn}`,
    });
    expect(JSON.parse(template.lifecycle_policy).rules.map((r: any) => [r.rulePriority, r.selection])).toEqual([
      [1, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }],
      [2, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 }],
    ]);
    const custom = only(synth({ keepTaggedImages: 5, untaggedExpiryDays: 2 }), "aws_ecr_repository_creation_template")[1];
    expect(JSON.parse(custom.lifecycle_policy).rules.map((r: any) => r.selection.countNumber)).toEqual([2, 5]);
  });

  it('[SEC-1] [ECR User Guide, "Create an IAM role for repository creation templates": a template with a KMS key needs a role ecr.amazonaws.com assumes, with the documented trust (no condition)] gives the templates a role only the ECR service can assume', () => {
    expect(role.name).toBe("ecg-test-ecr-cache-templates");
    expect(statementsOf(stack, role.assume_role_policy)).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["ecr.amazonaws.com"] }],
      },
    ]);
  });

  it('[SEC-1] [ECR User Guide, "Create a custom policy for repository creation templates"] lets the role create, replicate and tag the cache repositories of its prefixes only, and use the images key only', () => {
    const [, policy] = only(stack, "aws_iam_role_policy");
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    expect(statementsOf(stack, policy.policy)).toEqual([
      {
        sid: "CreateCacheRepositories",
        actions: ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"],
        resources: ["arn:aws:ecr:ap-northeast-2:123456789012:repository/ecr-public/*"],
      },
      { sid: "EncryptThemWithTheKey", actions: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], resources: [KEY] },
    ]);
  });

  it("makes one rule and one template per prefix, sharing the role", () => {
    const two = synth({ upstreams: { "ecr-public": "public.ecr.aws", quay: "quay.io" } });
    expect(
      resourcesOf(two, "aws_ecr_pull_through_cache_rule")
        .map(([, r]) => [r.ecr_repository_prefix, r.upstream_registry_url])
        .sort(),
    ).toEqual([
      ["ecr-public", "public.ecr.aws"],
      ["quay", "quay.io"],
    ]);
    expect(
      resourcesOf(two, "aws_ecr_repository_creation_template")
        .map(([, t]) => t.prefix)
        .sort(),
    ).toEqual(["ecr-public", "quay"]);
    expect(resourcesOf(two, "aws_iam_role")).toHaveLength(1);
    const statements = statementsOf(two, only(two, "aws_iam_role_policy")[1].policy);
    expect(statements[0].resources).toEqual([
      "arn:aws:ecr:ap-northeast-2:123456789012:repository/ecr-public/*",
      "arn:aws:ecr:ap-northeast-2:123456789012:repository/quay/*",
    ]);
  });

  it("names ARNs in the account's partition and region", () => {
    const gov = synth({ account: { accountId: "210987654321", region: "us-gov-west-1", partition: "aws-us-gov" } });
    const statements = statementsOf(gov, only(gov, "aws_iam_role_policy")[1].policy);
    expect(statements[0].resources).toEqual(["arn:aws-us-gov:ecr:us-gov-west-1:210987654321:repository/ecr-public/*"]);
  });

  it("tags its role with Component=container-registry", () => {
    expect(role.tags).toEqual({ Component: "container-registry" });
  });

  it.each<[Partial<PullThroughCacheProps>, string]>([
    [{ upstreams: {} }, "upstreams: name at least one prefix and its upstream registry"],
    [{ upstreams: { "-bad": "public.ecr.aws" } }, 'upstreams: "-bad" is not an ECR repository prefix (2-30 lower-case characters)'],
    [{ upstreams: { a: "public.ecr.aws" } }, 'upstreams: "a" is not an ECR repository prefix (2-30 lower-case characters)'],
    [{ upstreams: { ["a".repeat(31)]: "public.ecr.aws" } }, `upstreams: "${"a".repeat(31)}" is not an ECR repository prefix`],
    [{ upstreams: { ECR: "public.ecr.aws" } }, 'upstreams: "ECR" is not an ECR repository prefix'],
    [{ roleName: "" }, 'roleName: "" is not an IAM role name (1-64 characters)'],
    [{ roleName: "a".repeat(65) }, "is not an IAM role name (1-64 characters)"],
    [{ roleName: "bad name" }, 'roleName: "bad name" is not an IAM role name'],
    [{ keepTaggedImages: 0 }, "keepTaggedImages: 0 must be a whole number >= 1"],
    [{ untaggedExpiryDays: 1.5 }, "untaggedExpiryDays: 1.5 must be a whole number >= 1"],
  ])("refuses %p", (overrides, message) => {
    const error = errorOf(() => synth(overrides));
    expect(error).toMatch(/^PullThroughCache "cache" is misconfigured:\n/);
    expect(error).toContain(message);
  });

  it("accepts prefixes of 2 and 30 characters with . _ - / inside", () => {
    for (const prefix of ["ab", "a".repeat(30), "docker-hub", "quay.io_mirror/x"]) {
      expect(() => synth({ upstreams: { [prefix]: "public.ecr.aws" } })).not.toThrow();
    }
  });
});
