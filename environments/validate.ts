import { createPublicKey } from "node:crypto";
import { cidrsOverlap, type Ipv4Cidr, parseCidr } from "../modules/common/cidr";
import { bucketNameProblem, isDnsName, logRetentionProblem } from "../modules/common/limits";
import { MAX_HOOK_BAKE_MINUTES, trafficShiftProblems } from "../modules/delivery/traffic-shift";
import { GPU_INSTANCE_TYPES, smallestHost } from "../modules/gpu-fleet/instance-types";
import { drainSecondsProblem, scheduledBaseProblem } from "../modules/gpu-fleet/rules";
import { natPolicyProblem, subnetLayoutProblems } from "../modules/network/layout";
import { backupRetentionProblem } from "../modules/postgres/rules";
import { replicasPerShardProblem, shardsProblem, snapshotRetentionProblem } from "../modules/redis-cluster/rules";
import { accountProblems, assumedRoleProblems, hostedZoneProblems, sharedAccountProblems } from "./accounts";
import { checkDeprecations } from "./deprecations-check";
import { type ConfigProblem, ConfigValidationError } from "./problems";
import { availabilityZonesByRegion } from "./regions";
import type { BackendConfig, CapacityRange, EnvironmentConfig, GpuFleetConfig, NetworkConfig, StandbyConfig } from "./types";

// Fargate task CPU units (the memory range per CPU is checked by ECS at apply).
const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384];
// SC-1: the GPU fleets may grow to 20 instances, not beyond.
const MAX_GPU_INSTANCES = 20;
const REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"];
const NAME_PATTERN = /^[a-z][a-z0-9]{1,15}$/;

/**
 * Checks every environment and the set of them (unique names, disjoint VPC
 * ranges: ENV-3). Throws one ConfigValidationError naming every problem, so
 * nothing is synthesized from a bad configuration.
 */
export function validateEnvironments(environments: readonly EnvironmentConfig[]): void {
  const problems: ConfigProblem[] = [];
  if (environments.length === 0) {
    problems.push({ environment: "(all)", path: "environments", reason: "no environment is defined" });
  }
  const vpcs: { owner: string; cidr: Ipv4Cidr }[] = [];
  const seenNames = new Set<string>();
  for (const env of environments) {
    const check = new EnvironmentChecker(env, problems);
    check.all();
    if (seenNames.has(env.name)) check.fail("name", `"${env.name}" is used by another environment (ENV-3)`);
    seenNames.add(env.name);
    const networks = [{ path: "network", owner: `environment "${env.name}"`, cidr: env.network?.vpcCidr }];
    if (env.disasterRecovery?.standby)
      networks.push({
        path: "disasterRecovery.standby.network",
        owner: `the standby of "${env.name}"`,
        cidr: env.disasterRecovery.standby.network?.vpcCidr,
      });
    const replicaNetwork = env.database?.crossRegionReplicaNetwork;
    if (replicaNetwork)
      networks.push({
        path: "database.crossRegionReplicaNetwork",
        owner: `the database replica of "${env.name}"`,
        cidr: replicaNetwork.vpcCidr,
      });
    for (const { path, owner, cidr } of networks) {
      const vpc = parseCidr(cidr ?? "");
      if (typeof vpc === "string") continue;
      const other = vpcs.find((v) => cidrsOverlap(v.cidr, vpc));
      if (other)
        check.fail(
          `${path}.vpcCidr`,
          `${vpc.text} overlaps the VPC of ${other.owner} (${other.cidr.text}); VPCs never share CIDR ranges (ENV-3)`,
        );
      vpcs.push({ owner, cidr: vpc });
    }
  }
  problems.push(...environments.flatMap(accountProblems), ...sharedAccountProblems(environments), ...hostedZoneProblems(environments));
  // ECR keeps one replication configuration per account and region.
  const replicating = environments.filter((e) => e.disasterRecovery?.replicateImages);
  replicating.forEach((env, i) => {
    const other = replicating
      .slice(0, i)
      .find((o) => (o.account?.id ?? "") === (env.account?.id ?? "") && o.account?.region === env.account?.region);
    if (other) {
      problems.push({
        environment: env.name,
        path: "disasterRecovery.replicateImages",
        reason: `environment "${other.name}" already replicates the images of this account and region: ECR holds one replication configuration per account and region`,
      });
    }
  });
  problems.push(...checkDeprecations(environments));
  if (problems.length > 0) throw new ConfigValidationError(problems);
}

class EnvironmentChecker {
  constructor(
    private readonly env: EnvironmentConfig,
    private readonly problems: ConfigProblem[],
  ) {}

  fail(path: string, reason: string): void {
    this.problems.push({ environment: this.env.name || "(unnamed)", path, reason });
  }

  all(): void {
    this.identity();
    this.networkLayout();
    this.compute();
    this.ingress();
    this.data();
    this.operations();
    this.backend();
  }

  private identity(): void {
    const { env } = this;
    if (!NAME_PATTERN.test(env.name ?? "")) {
      this.fail("name", `"${env.name ?? ""}" must be 2-16 lower-case letters or digits, starting with a letter`);
    }
    if (env.account?.id !== undefined && !/^\d{12}$/.test(env.account.id)) {
      this.fail("account.id", `"${env.account.id}" is not a 12-digit AWS account id`);
    }
    this.region("account.region", env.account?.region);
    for (const key of REQUIRED_TAGS) {
      if (!env.tags?.[key]?.trim()) this.fail(`tags.${key}`, "is required and must not be empty (ENV-4)");
    }
    if (env.tags?.Environment && env.tags.Environment !== env.name) {
      this.fail("tags.Environment", `"${env.tags.Environment}" must equal the environment name "${env.name}"`);
    }
    for (const [key, value] of Object.entries(env.tags ?? {})) {
      if (key.length > 128 || value.length > 256) {
        this.fail(`tags.${key}`, "exceeds AWS tag limits (key 128, value 256 characters)");
      }
    }
  }

  private region(path: string, region: string | undefined): boolean {
    if (!region?.trim()) {
      this.fail(path, "is required and must not be empty");
      return false;
    }
    if (!availabilityZonesByRegion[region]) {
      this.fail(path, `"${region}" is not a known region (${Object.keys(availabilityZonesByRegion).join(", ")})`);
      return false;
    }
    return true;
  }

  private otherRegion(path: string, region: string | undefined): void {
    if (this.region(path, region) && region === this.env.account?.region) {
      this.fail(path, `"${region}" must differ from the primary region: a copy in the same region does not survive a regional outage`);
    }
  }

  private networkLayout(): void {
    if (!this.env.network) {
      this.fail("network", "is required");
      return;
    }
    this.network("network", this.env.network, this.env.account?.region);
  }

  /** A VPC's layout, AZs of `region`, NAT policy and flow-log retention. */
  private network(path: string, network: NetworkConfig, region: string | undefined): void {
    for (const problem of subnetLayoutProblems(network, `${path}.`)) this.fail(problem.path, problem.reason);
    this.zonesOf(path, network.availabilityZones, region);
    const nat = natPolicyProblem(network.natGateways);
    if (nat) {
      this.fail(`${path}.natGateways`, nat);
    }
    const retention = logRetentionProblem(network.flowLogRetentionDays);
    if (retention) this.fail(`${path}.flowLogRetentionDays`, retention);
  }

  private range(path: string, range: CapacityRange | undefined, limit?: number): void {
    if (!range) {
      this.fail(path, "is required");
      return;
    }
    if (!Number.isInteger(range.min) || range.min < 0) this.fail(`${path}.min`, `${range.min} must be a whole number >= 0`);
    if (!Number.isInteger(range.max) || range.max < 1) this.fail(`${path}.max`, `${range.max} must be a whole number >= 1`);
    if (range.min > range.max) this.fail(path, `min ${range.min} is greater than max ${range.max}`);
    if (limit !== undefined && range.max > limit) this.fail(`${path}.max`, `${range.max} exceeds the limit of ${limit}`);
  }

  private percent(path: string, value: number, lowest: number): void {
    if (!(value >= lowest && value <= 100)) this.fail(path, `${value} must be between ${lowest} and 100`);
  }

  private compute(): void {
    const compute = this.env.compute;
    if (!compute) {
      this.fail("compute", "is required");
      return;
    }
    const { api } = compute;
    if (!FARGATE_CPU_UNITS.includes(api.cpu))
      this.fail("compute.api.cpu", `${api.cpu} is not a Fargate CPU value (${FARGATE_CPU_UNITS.join(", ")})`);
    if (!(api.memoryMiB >= 512)) this.fail("compute.api.memoryMiB", `${api.memoryMiB} must be at least 512`);
    this.range("compute.api.tasks", api.tasks);
    this.percent("compute.api.targetCpuPercent", api.targetCpuPercent, 1);
    if (!["FARGATE", "FARGATE_SPOT"].includes(api.capacityProvider))
      this.fail("compute.api.capacityProvider", `"${api.capacityProvider}" must be "FARGATE" or "FARGATE_SPOT"`);
    this.fleet("compute.mlAudio", compute.mlAudio);
    this.fleet("compute.render", compute.render);
    const retention = logRetentionProblem(compute.logRetentionDays);
    if (retention) this.fail("compute.logRetentionDays", retention);
  }

  private fleet(path: string, fleet: GpuFleetConfig): void {
    const types = fleet.instanceTypes ?? [];
    if (types.length === 0) this.fail(`${path}.instanceTypes`, "must list at least one instance type");
    types.forEach((type, i) => {
      if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(type)) this.fail(`${path}.instanceTypes[${i}]`, `"${type}" is not an EC2 instance type`);
      if (types.indexOf(type) !== i) this.fail(`${path}.instanceTypes[${i}]`, `"${type}" is listed twice`);
    });
    this.range(`${path}.instances`, fleet.instances, MAX_GPU_INSTANCES);
    if (fleet.onDemandBaseCapacity < 0 || fleet.onDemandBaseCapacity > (fleet.instances?.max ?? 0)) {
      this.fail(`${path}.onDemandBaseCapacity`, `${fleet.onDemandBaseCapacity} must be between 0 and instances.max`);
    }
    this.percent(`${path}.onDemandPercentAboveBase`, fleet.onDemandPercentAboveBase, 0);
    const base = scheduledBaseProblem(fleet.instances?.min, fleet.scheduledMinimums ?? []);
    if (base) this.fail(`${path}.instances.min`, base);
    const drain = fleet.drainMinutes === undefined ? undefined : drainSecondsProblem(fleet.drainMinutes * 60);
    if (drain) this.fail(`${path}.drainMinutes`, drain);
    // Its only scaling signal is its own hosts' GPU utilization: with no host there is no data, and target tracking never scales out.
    if (path === "compute.mlAudio" && fleet.instances?.min === 0)
      this.fail(
        `${path}.instances.min`,
        "must be at least 1: ML Audio scales on its own hosts' GPU utilization, which does not exist while it has no host",
      );
    if (path === "compute.mlAudio" && fleet.drainMinutes !== undefined)
      this.fail(`${path}.drainMinutes`, "only the render fleet drains its hosts on termination (ML Audio answers short requests)");
    const unknown = types.filter((t) => !GPU_INSTANCE_TYPES[t]);
    if (unknown.length) {
      this.fail(
        `${path}.instanceTypes`,
        `${unknown.join(", ")}: not one-GPU types of the fleet class (${Object.keys(GPU_INSTANCE_TYPES).join(", ")})`,
      );
    }
    const host = smallestHost(types);
    const task = fleet.task;
    if (!task) {
      this.fail(`${path}.task`, "is required");
      return;
    }
    if (!(Number.isInteger(task.cpu) && task.cpu >= 128))
      this.fail(`${path}.task.cpu`, `${task.cpu} must be a whole number of CPU units >= 128`);
    if (!(Number.isInteger(task.memoryMiB) && task.memoryMiB >= 512))
      this.fail(`${path}.task.memoryMiB`, `${task.memoryMiB} must be a whole number >= 512`);
    if (host && (task.cpu > host.cpu || task.memoryMiB > host.memoryMiB)) {
      this.fail(
        `${path}.task`,
        `${task.cpu} CPU / ${task.memoryMiB} MiB does not fit the smallest instance type of the fleet (${host.cpu} CPU / ${host.memoryMiB} MiB): ECS could never place it there`,
      );
    }
  }

  private ingress(): void {
    const ingress = this.env.ingress;
    if (!ingress) {
      this.fail("ingress", "is required");
      return;
    }
    if (!isDnsName(ingress.domainName)) this.fail("ingress.domainName", `"${ingress.domainName ?? ""}" is not a lower-case DNS name`);
    if (!isDnsName(ingress.cdnDomainName))
      this.fail("ingress.cdnDomainName", `"${ingress.cdnDomainName ?? ""}" is not a lower-case DNS name`);
    else if (!ingress.cdnDomainName.endsWith(`.${ingress.hostedZoneName}`))
      this.fail("ingress.cdnDomainName", `"${ingress.cdnDomainName}" is not inside the hosted zone "${ingress.hostedZoneName}"`);
    const keys = ingress.cdnSigningPublicKeys ?? [];
    if (keys.length < 1 || keys.length > 2)
      this.fail("ingress.cdnSigningPublicKeys", `lists ${keys.length} keys: one, or two while a key pair is replaced`);
    keys.forEach((pem, i) => {
      const problem = keys.indexOf(pem) !== i ? "is listed twice" : rsa2048PublicKeyProblem(pem);
      if (problem) this.fail(`ingress.cdnSigningPublicKeys[${i}]`, problem);
    });
    if (ingress.cdnDomainName === ingress.domainName)
      this.fail("ingress.cdnDomainName", "must differ from ingress.domainName (the API and the CDN are different endpoints)");
    if (!isDnsName(ingress.hostedZoneName))
      this.fail("ingress.hostedZoneName", `"${ingress.hostedZoneName ?? ""}" is not a lower-case DNS name`);
    else if (ingress.domainName !== ingress.hostedZoneName && !ingress.domainName?.endsWith(`.${ingress.hostedZoneName}`)) {
      this.fail("ingress.domainName", `"${ingress.domainName}" is not inside the hosted zone "${ingress.hostedZoneName}"`);
    }
    if (!(Number.isInteger(ingress.rateLimitPer5Minutes) && ingress.rateLimitPer5Minutes >= 10)) {
      this.fail("ingress.rateLimitPer5Minutes", `${ingress.rateLimitPer5Minutes} must be a whole number >= 10 (WAF minimum)`);
    }
    if (!(ingress.allowedCountries?.length > 0))
      this.fail("ingress.allowedCountries", "must list at least one country, or nobody can reach the API");
    (ingress.allowedCountries ?? []).forEach((code, i) => {
      if (!/^[A-Z]{2}$/.test(code)) this.fail(`ingress.allowedCountries[${i}]`, `"${code}" is not an ISO 3166 alpha-2 country code`);
    });
    const retention = logRetentionProblem(ingress.logRetentionDays);
    if (retention) this.fail("ingress.logRetentionDays", retention);
  }

  private data(): void {
    const { database: db, cache, storage, disasterRecovery } = this.env;
    if (!db || !cache || !storage || !disasterRecovery) {
      this.fail("database/cache/storage/disasterRecovery", "are required");
      return;
    }
    for (const [path, value] of [
      ["database.engineVersion", db.engineVersion],
      ["database.instanceClass", db.instanceClass],
      ["cache.engineVersion", cache.engineVersion],
      ["cache.nodeType", cache.nodeType],
    ] as const) {
      if (!value?.trim()) this.fail(path, "is required and must not be empty");
    }
    if (!(db.allocatedStorageGiB >= 20 && db.allocatedStorageGiB <= 65536))
      this.fail("database.allocatedStorageGiB", `${db.allocatedStorageGiB} must be between 20 and 65536 (gp3)`);
    const backups = backupRetentionProblem(db.backupRetentionDays);
    if (backups) this.fail("database.backupRetentionDays", backups);
    if (!(db.sameRegionReplicas >= 0 && db.sameRegionReplicas <= 15))
      this.fail("database.sameRegionReplicas", `${db.sameRegionReplicas} must be between 0 and 15`);
    if (db.crossRegionReplicaRegion !== undefined) {
      this.otherRegion("database.crossRegionReplicaRegion", db.crossRegionReplicaRegion);
      if (db.crossRegionReplicaRegion !== disasterRecovery.failoverRegion) {
        this.fail(
          "database.crossRegionReplicaRegion",
          `"${db.crossRegionReplicaRegion}" must be the failover region "${disasterRecovery.failoverRegion}": the replica is what a failover promotes (DR-3)`,
        );
      }
      this.replicaNetwork(db.crossRegionReplicaRegion);
    } else if (db.crossRegionReplicaNetwork) {
      this.fail(
        "database.crossRegionReplicaNetwork",
        "is set without database.crossRegionReplicaRegion: there is no replica to place in it",
      );
    }
    for (const [field, problem] of [
      ["shards", shardsProblem(cache.shards)],
      ["replicasPerShard", replicasPerShardProblem(cache.replicasPerShard)],
      ["snapshotRetentionDays", snapshotRetentionProblem(cache.snapshotRetentionDays)],
    ] as const) {
      if (problem) this.fail(`cache.${field}`, problem);
    }
    if (!/^[a-z0-9][a-z0-9-]{1,30}$/.test(storage.videosBucketPrefix ?? ""))
      this.fail("storage.videosBucketPrefix", `"${storage.videosBucketPrefix ?? ""}" must be 2-31 lower-case letters, digits or dashes`);
    this.otherRegion("storage.replicationRegion", storage.replicationRegion);
    this.otherRegion("disasterRecovery.failoverRegion", disasterRecovery.failoverRegion);
    if (disasterRecovery.standby) this.standby(disasterRecovery.standby);
  }

  /** The replica's network: the standby's, or its own private-only VPC (no default VPC is assumed). */
  private replicaNetwork(region: string): void {
    const path = "database.crossRegionReplicaNetwork";
    const network = this.env.database.crossRegionReplicaNetwork;
    const standby = this.env.disasterRecovery?.standby;
    if (standby && network) {
      this.fail(path, "must be unset with a standby: the replica lives in the standby's private subnets");
      return;
    }
    if (standby) return;
    if (!network) {
      this.fail(path, `is required: the replica needs subnets in ${region} (a landing-zone account often has no default VPC there)`);
      return;
    }
    const layout = { vpcCidr: network.vpcCidr, availabilityZones: network.availabilityZones, subnets: { private: network.subnets } };
    for (const problem of subnetLayoutProblems(layout, `${path}.`, ["private"]))
      this.fail(problem.path.replace(".subnets.private", ".subnets"), problem.reason);
    this.zonesOf(path, network.availabilityZones, region);
    const retention = logRetentionProblem(network.flowLogRetentionDays);
    if (retention) this.fail(`${path}.flowLogRetentionDays`, retention);
  }

  private zonesOf(path: string, zones: readonly string[] | undefined, region: string | undefined): void {
    const known = region === undefined ? undefined : availabilityZonesByRegion[region];
    if (region === undefined || !known) return;
    (zones ?? []).forEach((az, i) => {
      if (!(az.startsWith(region) && known.includes(az.slice(region.length)))) {
        this.fail(
          `${path}.availabilityZones[${i}]`,
          `"${az}" is not an AZ of region ${region} (${known.map((s) => region + s).join(", ")})`,
        );
      }
    });
  }

  private standby(standby: StandbyConfig): void {
    const { database: db, disasterRecovery: dr } = this.env;
    const path = "disasterRecovery.standby";
    if (!standby.network) this.fail(`${path}.network`, "is required");
    else this.network(`${path}.network`, standby.network, dr.failoverRegion);
    if (typeof standby.active !== "boolean")
      this.fail(`${path}.active`, `${standby.active} must be true (failed over) or false (pilot light)`);
    if (db.crossRegionReplicaRegion !== dr.failoverRegion) {
      this.fail(
        "database.crossRegionReplicaRegion",
        `must be the failover region "${dr.failoverRegion}" with a standby: the standby's database is that replica, promoted in a failover`,
      );
    }
    if (!dr.replicateImages)
      this.fail(
        "disasterRecovery.replicateImages",
        "must be true with a standby: it pulls the images from its own region while the primary region is down",
      );
    // Route 53's health checkers of the failover records run in the US and Japan (modules/failover DEFAULT_CHECKER_REGIONS).
    const blocked = ["US", "JP"].filter((country) => !(this.env.ingress?.allowedCountries ?? []).includes(country));
    if (blocked.length) {
      this.fail(
        "ingress.allowedCountries",
        `must admit ${blocked.join(" and ")} with a standby: the WAF would answer Route 53's health checkers there with 403, and failover would never see a healthy region`,
      );
    }
    if (!standby.backend) {
      this.fail(`${path}.backend`, "is required");
      return;
    }
    this.backendSettings(`${path}.backend`, standby.backend);
    if (standby.backend.s3?.region === this.env.account?.region) {
      this.fail(
        `${path}.backend.s3.region`,
        `"${standby.backend.s3.region}" is the primary region: the standby's state must survive an outage there`,
      );
    }
  }

  private operations(): void {
    const { delivery, monitoring } = this.env;
    if (!delivery || !monitoring) {
      this.fail("delivery/monitoring", "are required");
      return;
    }
    const steps = delivery.trafficShift ?? [];
    // The delivery module's rule for the steps (a valid bake, so only the steps are judged).
    if (trafficShiftProblems({ steps, bakeMinutes: 1 }).length > 0) {
      this.fail(
        "delivery.trafficShift",
        `[${steps.join(", ")}] must be 1-3 increasing percentages ending at 100, e.g. [100] or [10, 50, 100]`,
      );
    }
    // Every environment within the hook's limit, so any of them may move to a three-step canary.
    if (!(Number.isInteger(delivery.bakeMinutes) && delivery.bakeMinutes >= 1 && delivery.bakeMinutes <= MAX_HOOK_BAKE_MINUTES)) {
      this.fail("delivery.bakeMinutes", `${delivery.bakeMinutes} must be a whole number from 1 to ${MAX_HOOK_BAKE_MINUTES}`);
    }
    (delivery.validations ?? []).forEach((step, i) => {
      if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(step.name ?? ""))
        this.fail(`delivery.validations[${i}].name`, `"${step.name ?? ""}" must be 1-40 lower-case letters, digits or dashes`);
      if (!(step.commands?.length > 0)) this.fail(`delivery.validations[${i}].commands`, "must hold at least one command");
    });
    // Production's alarms and security findings must reach a person.
    if (this.env.production && (monitoring.alarmEmails?.critical ?? []).length === 0)
      this.fail(
        "monitoring.alarmEmails.critical",
        "is empty: production needs at least one subscriber for its critical alarms and security findings",
      );
    if (!(Number.isFinite(monitoring.monthlyBudgetUsd) && monitoring.monthlyBudgetUsd > 0))
      this.fail(
        "monitoring.monthlyBudgetUsd",
        `${monitoring.monthlyBudgetUsd} must be a number of US dollars above 0 (the environment's monthly cost budget)`,
      );
    for (const severity of ["critical", "warning"] as const) {
      (monitoring.alarmEmails?.[severity] ?? []).forEach((email, i) => {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
          this.fail(`monitoring.alarmEmails.${severity}[${i}]`, `"${email}" is not an e-mail address`);
      });
    }
  }

  private backend(): void {
    if (!this.env.backend) {
      this.fail("backend", "is required");
      return;
    }
    this.backendSettings("backend", this.env.backend);
  }

  private backendSettings(path: string, backend: BackendConfig): void {
    if (!["s3", "cloud"].includes(backend.kind)) this.fail(`${path}.kind`, `"${backend.kind}" must be "s3" or "cloud"`);
    const bucket = bucketNameProblem(backend.s3?.bucket);
    if (bucket) this.fail(`${path}.s3.bucket`, bucket);
    this.region(`${path}.s3.region`, backend.s3?.region);
    for (const problem of assumedRoleProblems(`${path}.s3`, backend.s3?.roleArn, backend.s3?.externalId))
      this.fail(problem.path, problem.reason);
    if (!backend.cloud?.organization?.trim()) this.fail(`${path}.cloud.organization`, "is required and must not be empty");
  }
}

/** CloudFront public keys are RSA 2048 in PEM (CloudFront Developer Guide, "Create a key pair for a trusted key group"). */
function rsa2048PublicKeyProblem(pem: string | undefined): string | undefined {
  try {
    const key = createPublicKey(pem ?? "");
    if (key.asymmetricKeyType !== "rsa" || key.asymmetricKeyDetails?.modulusLength !== 2048)
      return `is a ${key.asymmetricKeyType} key of ${key.asymmetricKeyDetails?.modulusLength ?? "?"} bits; CloudFront signs with RSA 2048`;
    return undefined;
  } catch {
    return "is not a PEM public key (-----BEGIN PUBLIC KEY-----)";
  }
}
