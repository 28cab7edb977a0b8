import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Testing } from "cdktf";
import { ComputeCluster, type EcsClusterProps } from "../../modules/ecs-cluster";
import { ContainerService } from "../../modules/ecs-service";
import { resourcesOf, synthJson, TEST_ACCOUNT } from "../helpers";

const props: EcsClusterProps = { name: "ecg-test", kmsKeyArn: "arn:aws:kms:ap-northeast-2:123456789012:key/logs" };
const synth = (overrides: Partial<EcsClusterProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new ComputeCluster(scope, "cluster", { ...props, ...overrides })));

describe("ComputeCluster module", () => {
  const cluster = synth();

  it("[CMP-1] creates the cluster with Container Insights on", () => {
    expect(JSON.stringify(cluster)).toHaveResourceWithProperties(EcsCluster, {
      name: "ecg-test",
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
  });

  it("encrypts ECS Exec sessions and logs them to an encrypted log group with retention", () => {
    const [[groupId, group]] = resourcesOf(cluster, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "/ecs/ecg-test/exec", retention_in_days: 365, kms_key_id: props.kmsKeyArn });
    const [[, ecs]] = resourcesOf(cluster, "aws_ecs_cluster");
    expect(ecs.configuration.execute_command_configuration).toEqual({
      kms_key_id: props.kmsKeyArn,
      logging: "OVERRIDE",
      log_configuration: {
        cloud_watch_encryption_enabled: true,
        cloud_watch_log_group_name: `\${aws_cloudwatch_log_group.${groupId}.name}`,
      },
    });
  });

  it("exposes what a service needs for ECS Exec: the session key and the exec log group's ARN, which a ContainerService grants its task role", () => {
    let exec: ComputeCluster["execCommand"] | undefined;
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const built = new ComputeCluster(scope, "cluster", props);
        exec = built.execCommand;
        new ContainerService(scope, "svc", {
          name: "ecg-test-api",
          cluster: { name: built.clusterName, arn: built.clusterArn },
          account: TEST_ACCOUNT,
          subnetIds: ["subnet-a", "subnet-c"],
          securityGroupIds: ["sg-api"],
          cpu: 256,
          memoryMiB: 512,
          scheduling: { kind: "fargate", desiredCount: 1 },
          containers: [{ name: "api", image: "api:1", logGroupName: "/ecs/ecg-test/api" }],
          pullFrom: ["arn:aws:ecr:ap-northeast-2:123456789012:repository/ecg-test/api"],
          logsKmsKeyArn: props.kmsKeyArn,
          execCommand: built.execCommand,
        });
      }),
    );
    const [groupId] = resourcesOf(stack, "aws_cloudwatch_log_group").find(([, g]) => g.name === "/ecs/ecg-test/exec")!;
    expect(exec!.kmsKeyArn).toBe(props.kmsKeyArn);
    // A token, resolved to the group's ARN where the task role's policy uses it.
    const documents = Object.values<any>(stack.data!.aws_iam_policy_document).flatMap((d) => d.statement);
    expect(documents).toContainEqual({
      sid: "ExecSessionLog",
      actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      resources: [`\${aws_cloudwatch_log_group.${groupId}.arn}:*`],
    });
    expect(documents).toContainEqual({ sid: "ExecSessionEncryption", actions: ["kms:Decrypt"], resources: [props.kmsKeyArn] });
  });

  it("creates a private DNS namespace in the VPC for its services when asked, and none by default", () => {
    expect(resourcesOf(cluster, "aws_service_discovery_private_dns_namespace")).toEqual([]);
    const withNamespace = synth({ serviceNamespace: { name: "ecg-test.internal", vpcId: "vpc-1" } });
    expect(resourcesOf(withNamespace, "aws_service_discovery_private_dns_namespace").map(([, n]) => [n.name, n.vpc])).toEqual([
      ["ecg-test.internal", "vpc-1"],
    ]);
  });

  it.each<[Partial<EcsClusterProps>, string]>([
    [{ serviceNamespace: { name: "Not A Name", vpcId: "vpc-1" } }, 'serviceNamespace.name: "Not A Name" is not a DNS name'],
    [{ execLogRetentionDays: 10 }, "execLogRetentionDays: 10 is not a CloudWatch Logs retention value"],
    [{ name: "bad name" }, 'name: "bad name" must be 1-255 letters, digits, - or _'],
  ])("refuses %p", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});
