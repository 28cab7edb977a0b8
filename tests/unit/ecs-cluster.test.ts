import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Testing } from "cdktf";
import { ComputeCluster, type EcsClusterProps } from "../../modules/ecs-cluster";
import { resourcesOf, synthJson } from "../helpers";

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
      log_configuration: { cloud_watch_encryption_enabled: true, cloud_watch_log_group_name: `\${aws_cloudwatch_log_group.${groupId}.name}` },
    });
  });

  it("creates a private DNS namespace in the VPC for its services when asked, and none by default", () => {
    expect(resourcesOf(cluster, "aws_service_discovery_private_dns_namespace")).toEqual([]);
    const withNamespace = synth({ serviceNamespace: { name: "ecg-test.internal", vpcId: "vpc-1" } });
    expect(resourcesOf(withNamespace, "aws_service_discovery_private_dns_namespace").map(([, n]) => [n.name, n.vpc])).toEqual([["ecg-test.internal", "vpc-1"]]);
  });

  it.each<[Partial<EcsClusterProps>, string]>([
    [{ serviceNamespace: { name: "Not A Name", vpcId: "vpc-1" } }, 'serviceNamespace.name: "Not A Name" is not a DNS name'],
    [{ execLogRetentionDays: 10 }, "execLogRetentionDays: 10 is not a CloudWatch Logs retention value"],
    [{ name: "bad name" }, 'name: "bad name" must be 1-255 letters, digits, - or _'],
  ])("refuses %p", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});
