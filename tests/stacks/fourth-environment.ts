import { program } from "../../environments";
import { staging } from "../../environments/staging";
import { environmentBackend } from "../../environments/shared";
import { programRoleArn } from "../../environments/organization";
import type { EnvironmentConfig } from "../../environments/types";

/**
 * A fourth environment, in Singapore, written as data the way
 * docs/operations.md ("Add an environment") says: its own account, staging's
 * sizes, its copies in Tokyo and Oregon as staging's.
 */
export const QA_ACCOUNT = "666666666666";
export const SINGAPORE = "ap-southeast-1";
const qa: EnvironmentConfig = {
  ...staging,
  name: "qa",
  account: { id: QA_ACCOUNT, roleArn: programRoleArn(QA_ACCOUNT), region: SINGAPORE },
  tags: { ...staging.tags, Environment: "qa" },
  network: {
    ...staging.network,
    availabilityZones: ["ap-southeast-1a", "ap-southeast-1b"],
    vpcCidr: "10.4.0.0/16",
    subnets: { public: ["10.4.1.0/24", "10.4.10.0/24"], private: ["10.4.2.0/24", "10.4.20.0/24"], gpu: ["10.4.3.0/24", "10.4.30.0/24"] },
  },
  ingress: {
    ...staging.ingress,
    domainName: "api.qa.ecg-render.com",
    cdnDomainName: "cdn.qa.ecg-render.com",
    hostedZoneName: "qa.ecg-render.com",
  },
  database: {
    ...staging.database,
    crossRegionReplicaNetwork: {
      ...staging.database.crossRegionReplicaNetwork!,
      vpcCidr: "10.14.0.0/16",
      subnets: ["10.14.1.0/24", "10.14.2.0/24"],
    },
  },
  backend: environmentBackend("qa"),
};

/** The shipped program with the fourth environment after prod. */
export const withQa = { ...program, environments: [...program.environments, qa] };
