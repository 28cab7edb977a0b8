import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import type { AwsAccount } from "../../modules/common/aws-account";
import type { GpuFleet } from "../../modules/gpu-fleet";
import type { Ingress } from "../../modules/ingress";
import { AlarmTopics, Alarms, CostBudget, Dashboards, SecurityFindings, Tracing } from "../../modules/observability";
import { tracingNames } from "../support/contracts";
import type { DataLayer } from "./data-layer";
import type { EcgServices } from "./services";

export interface PlatformMonitoringProps {
  readonly stackName: string;
  readonly config: EnvironmentConfig;
  readonly account: AwsAccount;
  readonly clusterName: string;
  readonly fleets: { readonly mlAudio: GpuFleet; readonly render: GpuFleet };
  readonly ingress: Ingress;
  readonly data: DataLayer;
  readonly services: EcgServices;
}

/**
 * The environment's dashboards (MON-1), alarms to the critical and warning
 * topics (MON-2), the account's security findings to the critical topic, its
 * monthly cost budget alerting the warning topic (COST-6), and
 * X-Ray sampling rules and groups (MON-4), over what the
 * stack built. The GPU metrics come from the CloudWatch agent the fleets run
 * (MON-5), configured before the fleets exist.
 */
export class PlatformMonitoring extends Construct {
  readonly topics: AlarmTopics;
  readonly dashboards: Dashboards;
  readonly alarms: Alarms;
  readonly tracing: Tracing;
  readonly securityFindings: SecurityFindings;
  readonly budget: CostBudget;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps) {
    super(scope, id);
    const { stackName, config, ingress, data } = props;
    const system = {
      environment: config.name,
      clusterName: props.clusterName,
      apiServiceName: props.services.api.service.name,
      gpuFleets: { "ml-audio": props.fleets.mlAudio.autoScalingGroup.name, render: props.fleets.render.autoScalingGroup.name },
      loadBalancer: {
        arnSuffix: ingress.loadBalancer.arnSuffix,
        // Blue/green: CodeDeploy swaps the serving group at every release, so both are watched.
        targetGroups: {
          blue: ingress.targetGroup.arnSuffix,
          ...(ingress.blueGreen ? { green: ingress.blueGreen.greenTargetGroup.arnSuffix } : {}),
        },
      },
    };
    this.topics = new AlarmTopics(this, "topics", {
      name: `${stackName}-alarms`,
      account: props.account,
      emails: config.monitoring.alarmEmails,
      preventKeyDestroy: config.production,
    });
    this.dashboards = new Dashboards(this, "dashboards", { ...system, name: stackName, region: props.account.region });
    this.alarms = new Alarms(this, "alarms", {
      ...system,
      name: stackName,
      topics: this.topics.topicArns,
      database: {
        instanceIdentifier: data.database.instance.identifier,
        replicaIdentifiers: data.database.replicas.map((r) => r.identifier),
      },
      redis: {
        replicationGroupId: data.cache.replicationGroup.replicationGroupId,
        shards: config.cache.shards,
        replicasPerShard: config.cache.replicasPerShard,
      },
      renderAlwaysRunning: config.compute.render.instances.min > 0,
    });
    this.tracing = new Tracing(this, "tracing", { name: stackName, services: tracingNames(stackName) });
    // The account baseline's findings (its account stack) reach the same people as the critical alarms.
    this.securityFindings = new SecurityFindings(this, "security-findings", { name: stackName, topicArn: this.topics.critical.arn });
    // An account of its own is the environment's whole bill; a shared one is split by the Environment tag.
    const ownAccount = config.account.id !== undefined && !config.account.sharedAccountWith?.length;
    this.budget = new CostBudget(this, "budget", {
      name: `${stackName}-monthly`,
      monthlyLimitUsd: config.monitoring.monthlyBudgetUsd,
      topicArn: this.topics.warning.arn,
      tag: ownAccount ? undefined : { key: "Environment", value: config.name },
    });
  }
}
