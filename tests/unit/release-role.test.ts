import { Testing } from "cdktf";
import { namedRoles, roleArnShape } from "../../modules/common/iam-arn";
import { ReleaseRole } from "../../modules/delivery";
import { errorOf, only, resourcesOf, statementsOf, synthJson, TEST_ACCOUNT } from "../helpers";

const PIPELINE = ["arn:aws:iam::444444444444:role/ecg-release-pipeline", "arn:aws:iam::444444444444:role/ecg-release-render-staging"];
const props = {
  roleName: "ecg-staging-release",
  account: TEST_ACCOUNT,
  trustedRoles: PIPELINE,
  deployment: {
    applicationName: "ecg-staging-api",
    deploymentGroupName: "ecg-staging-api",
    taskDefinitionFamily: "ecg-staging-backend-api",
  },
  passRoleArns: ["arn:aws:iam::123456789012:role/ecg-staging-backend-api-task"],
  artifacts: {
    bucketArn: "arn:aws:s3:::ecg-delivery-artifacts-444444444444",
    keyArns: ["arn:aws:kms:ap-northeast-2:444444444444:key/*"],
  },
};
const synth = (overrides: Partial<typeof props> = {}) =>
  synthJson(Testing.synthScope((scope) => new ReleaseRole(scope, "release", { ...props, ...overrides })));

describe("[ACC-4] ReleaseRole", () => {
  const json = synth();
  const [, role] = only(json, "aws_iam_role");
  const statements = Object.fromEntries(
    statementsOf(json, resourcesOf(json, "aws_iam_role_policy")[0][1].policy).map((s: any) => [s.sid, s]),
  );

  it("is trusted by exactly the pipeline's roles, through their account's root (valid before they exist)", () => {
    expect(role.name).toBe("ecg-staging-release");
    expect(statementsOf(json, role.assume_role_policy)).toEqual([
      {
        sid: "ThePipelinesRoles",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::444444444444:root"] }],
        condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: PIPELINE }],
      },
    ]);
  });

  it("deploys its one group, registers and tags its family's task definitions, passes its tasks' roles to ECS only", () => {
    expect(statements.DeployToTheseGroups.resources).toEqual([
      "arn:aws:codedeploy:ap-northeast-2:123456789012:deploymentgroup:ecg-staging-api/ecg-staging-api",
    ]);
    expect(statements.TagTheRegisteredTaskDefinitions.resources).toEqual([
      "arn:aws:ecs:ap-northeast-2:123456789012:task-definition/ecg-staging-backend-api:*",
    ]);
    expect(statements.PassTheTaskRolesToEcs).toEqual(
      expect.objectContaining({
        resources: props.passRoleArns,
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
      }),
    );
  });

  it("reads the pipeline's artifacts and decrypts them with the pipeline account's keys, and writes nothing there", () => {
    expect(statements.ReadArtifacts.resources).toEqual([`${props.artifacts.bucketArn}/*`]);
    expect(statements.DecryptArtifacts).toEqual(
      expect.objectContaining({ actions: ["kms:Decrypt", "kms:DescribeKey"], resources: props.artifacts.keyArns }),
    );
    const actions = Object.values(statements).flatMap((s: any) => s.actions);
    expect(actions.filter((a: string) => /^s3:(Put|Delete)|^kms:(Encrypt|GenerateDataKey)/.test(a))).toEqual([]);
    // Only the actions without resource-level permissions are on "*".
    const unscoped = Object.values(statements)
      .filter((s: any) => s.resources.includes("*"))
      .flatMap((s: any) => s.actions);
    expect(unscoped.sort()).toEqual(["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]);
  });

  it.each<[string, Partial<typeof props>, RegExp]>([
    ["no trusted role", { trustedRoles: [] }, /trustedRoles: the pipeline's roles must be able to assume it/],
    ["no role to pass", { passRoleArns: [] }, /passRoleArns: name the task and execution roles/],
    ["no artifact key", { artifacts: { ...props.artifacts, keyArns: [] } }, /artifacts\.keyArns: name the key/],
  ])("refuses %s, naming the field", (_what, overrides, message) => {
    expect(errorOf(() => synth(overrides))).toMatch(/^ReleaseRole "release" is misconfigured:/);
    expect(errorOf(() => synth(overrides))).toMatch(message);
  });
});

describe("namedRoles and roleArnShape", () => {
  it("admit roles of several accounts through each root once, the roles named exactly", () => {
    expect(
      namedRoles(["arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b", "arn:aws:iam::222222222222:role/x/c"]),
    ).toEqual({
      principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] }],
      condition: [
        {
          test: "ArnEquals",
          variable: "aws:PrincipalArn",
          values: ["arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b", "arn:aws:iam::222222222222:role/x/c"],
        },
      ],
    });
  });

  it("take a partition that is a Terraform reference, and refuse what is not a role", () => {
    expect(roleArnShape("arn:${data.aws_partition.p.partition}:iam::111111111111:role/a")).toEqual({
      partition: "${data.aws_partition.p.partition}",
      account: "111111111111",
    });
    for (const arn of [
      "arn:aws:iam::111111111111:user/a",
      "arn:aws:sts::111111111111:role/a",
      "arn:aws:iam:us-east-1:111111111111:role/a",
      "role/a",
    ])
      expect(roleArnShape(arn)).toBeUndefined();
    expect(() => namedRoles(["arn:aws:iam::111111111111:user/a"])).toThrow(
      'namedRoles: "arn:aws:iam::111111111111:user/a" is not an IAM role ARN',
    );
  });
});
