import { failoverStateBucket, projectTags, publicZoneName, renderWorkingHours, environmentBackend } from "./shared";
import { accountIds, programRoleArn } from "./organization";
import type { EnvironmentConfig } from "./types";

/** Production: the seed's values, exactly (ENV-2). */
export const prod: EnvironmentConfig = {
  name: "prod",
  account: { id: accountIds.prod, roleArn: programRoleArn(accountIds.prod), externalId: "ecg-prod-terraform", region: "ap-northeast-2" },
  production: true,
  tags: { ...projectTags, Environment: "prod" },
  network: {
    vpcCidr: "10.0.0.0/16",
    availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"],
    subnets: {
      public: ["10.0.1.0/24", "10.0.10.0/24"],
      private: ["10.0.2.0/24", "10.0.20.0/24"],
      gpu: ["10.0.3.0/24", "10.0.30.0/24"],
    },
    natGateways: "one-per-az",
    flowLogRetentionDays: 365,
  },
  compute: {
    api: { cpu: 2048, memoryMiB: 4096, tasks: { min: 2, max: 10 }, targetCpuPercent: 70, capacityProvider: "FARGATE" },
    mlAudio: {
      instanceTypes: ["g4dn.xlarge", "g4dn.2xlarge", "g4dn.4xlarge"],
      instances: { min: 1, max: 4 },
      onDemandBaseCapacity: 1,
      onDemandPercentAboveBase: 0,
      predictiveScaling: true,
      task: { cpu: 4096, memoryMiB: 14336 },
    },
    render: {
      instanceTypes: ["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"],
      instances: { min: 2, max: 8 },
      onDemandBaseCapacity: 1,
      onDemandPercentAboveBase: 0,
      scheduledMinimums: renderWorkingHours,
      predictiveScaling: true,
      task: { cpu: 8192, memoryMiB: 28672 },
    },
    logRetentionDays: 365,
  },
  ingress: {
    domainName: "api.ecg-render.com",
    cdnDomainName: "cdn.ecg-render.com",
    // An example key pair whose private half was not kept: replace it with yours (docs/operations.md).
    cdnSigningPublicKeys: [
      `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAze9L/TD8R8ndmi0MlQl4
nn9VZohtDTC5sFprEavGTwJJeDvjeK3C3TCBByTWI7SkPrqOrLE7QuUnOHMZzEDT
wx12DSTvbX0Z0VDzKK058dCS1bqSZo4SBFNrNv9MLT97udx8pjTfC/J312jSvKRD
xxZj/EWkGE4r1dRresTTQpaie3cPzazRl+01n0zyRiOVXlP3lEQ4cLVYw51eCDje
lG4Yrp55PL1CRDl3JUomPXrild7iX0+iTG4da0ybQ41NdbNn7wf8ptDw/taPzlFY
3fAenvbDZF4GKOgX1l9eFI3OTdvaP7vv4Go+ZiHrX4lriFH6xJPRRcIL37yd+8R1
lQIDAQAB
-----END PUBLIC KEY-----
`,
    ],
    hostedZoneName: publicZoneName,
    rateLimitPer5Minutes: 1000,
    allowedCountries: ["KR", "US", "JP"],
    logRetentionDays: 365,
  },
  database: {
    engineVersion: "15",
    instanceClass: "db.r6g.xlarge",
    allocatedStorageGiB: 500,
    iops: 12000,
    storageThroughputMiBps: 500,
    multiAz: true,
    backupRetentionDays: 7,
    sameRegionReplicas: 1,
    crossRegionReplicaRegion: "ap-northeast-1",
    deletionProtection: true,
  },
  cache: {
    engineVersion: "7.0",
    nodeType: "cache.r6g.xlarge",
    shards: 3,
    replicasPerShard: 2,
    snapshotRetentionDays: 7,
  },
  storage: { videosBucketPrefix: "ecg-videos", replicationRegion: "us-west-2" },
  disasterRecovery: {
    failoverRegion: "ap-northeast-1",
    replicateImages: true,
    // Pilot light in Tokyo (DR-1, DR-3): set active to true in a failover (docs/operations.md, "Failover runbook").
    standby: {
      network: {
        vpcCidr: "10.10.0.0/16",
        availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
        subnets: {
          public: ["10.10.1.0/24", "10.10.10.0/24"],
          private: ["10.10.2.0/24", "10.10.20.0/24"],
          gpu: ["10.10.3.0/24", "10.10.30.0/24"],
        },
        // Idle while it waits: one NAT gateway; a failover that lasts gets the second by this value.
        natGateways: "single",
        flowLogRetentionDays: 365,
      },
      active: false,
      backend: environmentBackend("prod", failoverStateBucket),
    },
  },
  delivery: { trafficShift: [10, 50, 100], bakeMinutes: 10, approval: true, validations: [] },
  // Required in production (environments/validate.ts): who hears the critical alarms and the security findings.
  monitoring: { alarmEmails: { critical: ["platform-oncall@ecg-render.com"], warning: [] }, monthlyBudgetUsd: 9000 },
  backend: environmentBackend("prod"),
};
