import { program } from "../../environments";
import { staging } from "../../environments/staging";
import { environmentBackend } from "../../environments/shared";
import { programRoleArn } from "../../environments/organization";
import type { EnvironmentConfig } from "../../environments/types";
import { Testing } from "cdktf";
import { DeliveryStack } from "../../stacks/delivery-stack";
import { DELIVERY_STACK } from "../../stacks/support/contracts";
import { stackSteps, stackTargets } from "../../scripts/stack";
import { workflowStacks } from "../../scripts/stacks";
import { synthProgram } from "./synth";

/**
 * Adding an environment is a change to `environments/` only (#19): a fourth
 * environment, written as data the way docs/operations.md ("Add an
 * environment") says, reaches the synthesis, the stack commands, the policy
 * pack and the workflows' stack list with no other file touched.
 */
const QA_ACCOUNT = "666666666666";
const qa: EnvironmentConfig = {
  ...staging,
  name: "qa",
  account: { id: QA_ACCOUNT, roleArn: programRoleArn(QA_ACCOUNT), region: staging.account.region },
  tags: { ...staging.tags, Environment: "qa" },
  network: {
    ...staging.network,
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
const withQa = { ...program, environments: [...program.environments, qa] };
const built = synthProgram(undefined, withQa);

describe("a fourth environment, as data only", () => {
  it("[#19] [ENV-1] is synthesized like the others: its platform, access and account stacks, in its own account", () => {
    expect(Object.keys(built.stacks)).toEqual(
      expect.arrayContaining(["ecg-qa", "ecg-access-qa", `ecg-account-${QA_ACCOUNT}-ap-northeast-2`]),
    );
    const providers = built.stacks["ecg-qa"].provider!.aws as Record<string, any>[];
    expect(providers.find((p) => !p.alias)).toMatchObject({ region: "ap-northeast-2", allowed_account_ids: [QA_ACCOUNT] });
    // The same platform as staging, whose data it started from.
    const types = (name: string) => Object.keys(built.stacks[name].resource).sort();
    expect(types("ecg-qa")).toEqual(types("ecg-staging"));
  });

  it("[#19] passes the policy pack, which reports on its stacks", () => {
    for (const stack of ["ecg-qa", "ecg-access-qa"]) {
      expect(built.policy[stack].stack).toBe(stack);
      expect(built.policy[stack].findings.filter((f) => f.severity === "error")).toEqual([]);
    }
  });

  it("[#19] [PLT-7] gets npm run diff|plan|deploy -- qa (and access-qa) without a new script", () => {
    const targets = stackTargets(withQa);
    expect(targets).toMatchObject({ qa: "ecg-qa", "access-qa": "ecg-access-qa" });
    expect(stackSteps("diff", "qa", [], targets)).toEqual([{ command: "node_modules/.bin/cdktf", args: ["diff", "ecg-qa"] }]);
    expect(stackSteps("plan", "qa", [], targets).at(-2)!.cwd).toBe("cdktf.out/stacks/ecg-qa");
  });

  it("[#19] [PLT-6] is in the workflows' stack list: planned with its own plan role, deployed after prod in its GitHub environment, before the pipeline", () => {
    const list = workflowStacks(withQa.environments, withQa);
    expect(list.map((s) => s.stack)).toEqual([
      "ecg-dev",
      "ecg-staging",
      "ecg-prod",
      "ecg-prod-standby",
      "ecg-prod-global",
      "ecg-qa",
      "ecg-delivery",
    ]);
    expect(list.find((s) => s.stack === "ecg-qa")).toEqual({
      stack: "ecg-qa",
      environment: "qa",
      plan_environment: "qa-plan",
      region: "ap-northeast-2",
      role_variable: "AWS_PLAN_ROLE_ARN_QA",
      state_role_variable: "AWS_STATE_PLAN_ROLE_ARN_QA",
      deploy_role_variable: "AWS_DEPLOY_ROLE_ARN",
      deploy_session_seconds: 14400,
    });
    // The pipeline releases to it too, after prod: the last environment's reviewers gate the pipeline's stack.
    expect(list.at(-1)).toMatchObject({ stack: "ecg-delivery", environment: "qa" });
  });

  it("[#19] in a region other than the pipeline's, is refused with the environment, the field and the reason (cross-region release stages are not built)", () => {
    // Tokyo, whose AZs and RDS CA bundle the program has, with its copies in Seoul.
    const tokyo: EnvironmentConfig = {
      ...qa,
      account: { ...qa.account, region: "ap-northeast-1" },
      network: { ...qa.network, availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"] },
      database: {
        ...qa.database,
        crossRegionReplicaRegion: "ap-northeast-2",
        crossRegionReplicaNetwork: { ...qa.database.crossRegionReplicaNetwork!, availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"] },
      },
      disasterRecovery: { ...qa.disasterRecovery, failoverRegion: "ap-northeast-2" },
    };
    // The delivery stack is where the program refuses it: built alone, as buildApp builds it.
    const build = () =>
      new DeliveryStack(Testing.app(), DELIVERY_STACK, {
        settings: program.delivery,
        environments: [...program.environments, tokyo],
        backend: program.delivery.backend.kind,
        tags: program.sharedTags,
      });
    expect(build).toThrow(/environment "qa": account\.region: ap-northeast-1 is not the delivery pipeline's region \(ap-northeast-2\)/);
  });
});
