import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProviderMirror, MIRROR_VARIABLE, mirrorCliConfig } from "../../scripts/provider-mirror";
import { secretParts, secretsInState } from "../terraform/harness/secret-scan";
import { applyTargets, changedAttributes, reviewReplan } from "../terraform/harness/plan-review";
import { hostedZonePrerequisites, laneInputs } from "../terraform/harness/inputs";
import { emulatorOverride } from "../terraform/harness/workdir";
import { phase, setProgressSink } from "../terraform/harness/progress";
import { EVIDENCE } from "../stacks/apply-gap-evidence-tags";
import { ACCOUNTS, STATE_ACCOUNT } from "../stacks/layouts";
import { synthProgram } from "../stacks/synth";
import { FLAKES } from "../terraform/emulator-gaps";
import { destroyGapAddresses, laneEnv, protectedAddresses, stackPlacement, teardownOverride, withFlakeRetry } from "../terraform/lane";

describe("offline lane harness", () => {
  describe("[ACC-1] where a stack's cycle runs", () => {
    const synthesized = (name: string) => synthProgram().stacks[name];

    it("in the pinned account, Terraform as the caller when the providers assume their role (environment and delivery stacks), in the account itself when they do not (the bootstrap)", () => {
      expect(stackPlacement(synthesized("ecg-dev"))).toEqual({ account: ACCOUNTS.dev.id, assumesRole: true });
      expect(stackPlacement(synthesized("ecg-delivery"))).toEqual({ account: STATE_ACCOUNT, assumesRole: true });
      expect(stackPlacement(synthesized("ecg-state"))).toEqual({ account: STATE_ACCOUNT, assumesRole: false });
    });

    it("as the caller throughout for an unpinned stack, and sees a static assume_role too", () => {
      expect(stackPlacement({ provider: { aws: [{ region: "ap-northeast-2" }] } })).toEqual({ account: undefined, assumesRole: false });
      const pinned = {
        provider: {
          aws: [
            { alias: "tokyo", allowed_account_ids: ["1"] },
            { allowed_account_ids: ["2"], assume_role: [{ role_arn: "r" }] },
          ],
        },
      };
      expect(stackPlacement(pinned)).toEqual({ account: "2", assumesRole: true });
    });
  });

  describe("[SEC-2] the state scan for secret values", () => {
    const password = "Zq8xLw2Nn4Vb6Mc1Rt5Yp7Ks9Hd3Gf0J";
    const master = JSON.stringify({ engine: "postgres", host: "db.internal.example", port: 5432, username: "ecg", password });
    const appKey = `${"k".repeat(63)}9`;
    const secrets = [
      { name: "ap-northeast-2: ecg-dev/db/master", versions: [master] },
      {
        name: "ap-northeast-2: ecg-dev/app/jwt-signing-key",
        versions: [JSON.stringify({ value: appKey, rotatedAt: "2026-12-02T00:00:00Z" })],
      },
    ];
    const state = JSON.stringify({
      resources: [{ type: "aws_db_instance", instances: [{ attributes: { address: "db.internal.example", password_wo: null } }] }],
    });

    it("finds nothing in a state that holds only the non-secret fields (the host, the user)", () => {
      expect(secretsInState(state, secrets)).toEqual({ found: [], values: 4, unreadable: [] });
    });

    it("names the secret whose password field, or whole string, a state holds, never the value", () => {
      const leaked = state.replace('"password_wo":null', `"password":"${password}"`);
      expect(secretsInState(leaked, secrets).found).toEqual(["ap-northeast-2: ecg-dev/db/master"]);
      const whole = `${state}${JSON.stringify({ secret_string: JSON.stringify({ value: appKey }) })}`;
      expect(secretsInState(whole, secrets).found).toEqual(["ap-northeast-2: ecg-dev/app/jwt-signing-key"]);
    });

    it("looks at every version, and at plain (non-JSON) strings whole", () => {
      expect(secretParts("not json but a long secret string")).toEqual(["not json but a long secret string"]);
      expect(secretsInState(`x${appKey}x`, [{ name: "old", versions: ["a".repeat(20), JSON.stringify({ value: appKey })] }]).found).toEqual(
        ["old"],
      );
    });

    it("names the secrets with versions the emulator could not return", () => {
      expect(secretsInState(state, [{ name: "pending", versions: [], unreadable: 1 }]).unreadable).toEqual(["pending"]);
    });

    it("leaves short strings out: a port or an engine name is in any state", () => {
      expect(secretParts(JSON.stringify({ key: "short", value: "postgres" }))).toEqual([
        JSON.stringify({ key: "short", value: "postgres" }),
      ]);
    });
  });

  describe("apply targets around emulator gaps", () => {
    const stack = {
      resource: {
        aws_vpc: { v: {} },
        aws_appautoscaling_target: { t: { resource_id: "x" } },
        aws_appautoscaling_policy: { p: { resource_id: "${aws_appautoscaling_target.t.resource_id}" } },
        aws_cloudwatch_metric_alarm: { a: { alarm_actions: ["${aws_appautoscaling_policy.p.arn}"] } },
        aws_subnet: { s: { vpc_id: "${aws_vpc.v.id}" } },
      },
    };
    const gap = { type: "aws_appautoscaling_target", error: "e", reason: "r", evidence: [EVIDENCE.appAutoScaling] };

    it("excludes only the resources a gap's `when` matches, with their dependents", () => {
      const replicas = {
        resource: {
          aws_db_instance: { primary: {}, replica: { replicate_source_db: "${aws_db_instance.primary.identifier}" } },
          aws_route53_record: { r: { records: ["${aws_db_instance.replica.address}"] } },
        },
      };
      const onlyReplicas = {
        type: "aws_db_instance",
        error: "e",
        reason: "r",
        evidence: [EVIDENCE.rdsReadReplicas],
        when: { description: "replicas", test: (c: any) => Boolean(c.replicate_source_db) },
      };
      expect(applyTargets(replicas, [onlyReplicas])).toEqual({
        targets: ["aws_db_instance.primary"],
        excluded: ["aws_db_instance.replica", "aws_route53_record.r"],
      });
    });

    it("excludes what reads a gap resource through a data source (-target would pull the gap back in)", () => {
      const withDocument = {
        resource: {
          aws_codedeploy_deployment_group: { g: {} },
          aws_iam_role: { r: {} },
          aws_iam_role_policy: { p: { role: "${aws_iam_role.r.id}", policy: "${data.aws_iam_policy_document.d.json}" } },
        },
        data: { aws_iam_policy_document: { d: { statement: [{ resources: ["${aws_codedeploy_deployment_group.g.arn}"] }] } } },
      };
      const groups = { type: "aws_codedeploy_deployment_group", error: "e", reason: "r", evidence: [EVIDENCE.codeDeployEcsBlueGreen] };
      expect(applyTargets(withDocument, [groups])).toEqual({
        targets: ["aws_iam_role.r"],
        excluded: ["aws_codedeploy_deployment_group.g", "aws_iam_role_policy.p"],
      });
    });

    it("targets everything when no gap applies", () => {
      expect(applyTargets(stack, [])).toEqual({ excluded: [] });
    });

    it("excludes the gap type and, transitively, whatever references it", () => {
      expect(applyTargets(stack, [gap])).toEqual({
        targets: ["aws_subnet.s", "aws_vpc.v"],
        excluded: ["aws_appautoscaling_policy.p", "aws_appautoscaling_target.t", "aws_cloudwatch_metric_alarm.a"],
      });
    });
  });

  describe("re-plan review", () => {
    const drift = [{ type: "aws_vpc_security_group_ingress_rule", attribute: "description", reason: "r" }];
    const update = (type: string, before: object, after: object) => ({
      address: `${type}.x`,
      type,
      change: { actions: ["update"], before, after, after_unknown: {} },
    });

    it("accepts an update whose every changed attribute is listed for its type", () => {
      const plan = {
        resource_changes: [update("aws_vpc_security_group_ingress_rule", { description: null, id: "1" }, { description: "d", id: "1" })],
      };
      expect(reviewReplan(plan, drift)).toEqual({
        accepted: ["aws_vpc_security_group_ingress_rule.x: update (description)"],
        unexpected: [],
        usedDrift: ["aws_vpc_security_group_ingress_rule.description"],
      });
    });

    it.each([
      [
        "another attribute",
        update("aws_vpc_security_group_ingress_rule", { description: null, from_port: 1 }, { description: "d", from_port: 2 }),
      ],
      ["the same attribute on another type", update("aws_vpc_security_group_egress_rule", { description: null }, { description: "d" })],
      ["a replacement", { address: "aws_vpc.x", type: "aws_vpc", change: { actions: ["delete", "create"], before: {}, after: {} } }],
      ["a create", { address: "aws_vpc.x", type: "aws_vpc", change: { actions: ["create"], before: null, after: {} } }],
    ])("fails on %s", (_, change) => {
      expect(reviewReplan({ resource_changes: [change] }, drift).unexpected).toHaveLength(1);
    });

    describe("a replacement forced by emulator drift", () => {
      const forcing = [
        {
          type: "aws_ecs_service",
          attribute: "capacity_provider_strategy",
          reason: "r",
          forcesReplacement: { recomputedByReplacement: ["id", "launch_type"] },
        },
        { type: "aws_ecs_service", attribute: "enable_ecs_managed_tags", reason: "r" },
      ];
      const replace = (replacePaths: string[][], before: object, after: object, unknown: object = {}) => ({
        address: "aws_ecs_service.api",
        type: "aws_ecs_service",
        change: { actions: ["delete", "create"], before, after, after_unknown: unknown, replace_paths: replacePaths },
      });

      it("accepts it when every replace path forces and every other change is drift or recomputed", () => {
        const change = replace(
          [["capacity_provider_strategy"]],
          { capacity_provider_strategy: [], id: "arn", launch_type: "EC2", enable_ecs_managed_tags: false, name: "api" },
          { capacity_provider_strategy: [{ capacity_provider: "FARGATE" }], enable_ecs_managed_tags: true, name: "api" },
          { id: true, launch_type: true },
        );
        expect(reviewReplan({ resource_changes: [change] }, forcing)).toEqual({
          accepted: [
            "aws_ecs_service.api: delete/create (capacity_provider_strategy, enable_ecs_managed_tags, id, launch_type; replacement forced by emulator drift in capacity_provider_strategy)",
          ],
          unexpected: [],
          usedDrift: ["aws_ecs_service.capacity_provider_strategy", "aws_ecs_service.enable_ecs_managed_tags"],
        });
      });

      it.each([
        ["a replace path that is not a forcing drift entry", replace([["name"]], { name: "a" }, { name: "b" })],
        [
          "a forcing path together with another replace path",
          replace(
            [["capacity_provider_strategy"], ["name"]],
            { name: "a", capacity_provider_strategy: [] },
            { name: "b", capacity_provider_strategy: [1] },
          ),
        ],
        [
          "another changed attribute",
          replace(
            [["capacity_provider_strategy"]],
            { capacity_provider_strategy: [], cpu: 1 },
            { capacity_provider_strategy: [1], cpu: 2 },
          ),
        ],
        [
          "an in-place drift entry used as a replace path",
          replace([["enable_ecs_managed_tags"]], { enable_ecs_managed_tags: false }, { enable_ecs_managed_tags: true }),
        ],
      ])("fails on %s", (_, change) => {
        expect(reviewReplan({ resource_changes: [change] }, forcing).unexpected).toHaveLength(1);
      });
    });

    it("accepts an unknownOnly entry while the value is unknown, never a concrete new value", () => {
      const policyDrift = [{ type: "aws_iam_role_policy", attribute: "policy", reason: "r", unknownOnly: true }];
      const deferred = {
        address: "aws_iam_role_policy.p",
        type: "aws_iam_role_policy",
        change: { actions: ["update"], before: { policy: "{}" }, after: {}, after_unknown: { policy: true } },
      };
      const changed = { ...deferred, change: { ...deferred.change, after: { policy: '{"Statement":[]}' }, after_unknown: {} } };
      expect(reviewReplan({ resource_changes: [deferred] }, policyDrift).unexpected).toEqual([]);
      expect(reviewReplan({ resource_changes: [changed] }, policyDrift).unexpected).toHaveLength(1);
    });

    it("ignores no-op and read entries", () => {
      const plan = {
        resource_changes: [
          { address: "a", type: "t", change: { actions: ["no-op"] } },
          { address: "b", type: "t", change: { actions: ["read"] } },
        ],
      };
      expect(reviewReplan(plan, drift)).toEqual({ accepted: [], unexpected: [], usedDrift: [] });
    });

    it("counts attributes that only become unknown as changed", () => {
      expect(changedAttributes({ before: { a: 1, b: 2 }, after: { a: 1 }, after_unknown: { b: true } })).toEqual(["b"]);
    });
  });

  describe("provider installation", () => {
    it("uses the mirror named by the environment variable, and refuses one that is not a mirror", () => {
      const dir = mkdtempSync(join(tmpdir(), "mirror-"));
      expect(() => findProviderMirror({ [MIRROR_VARIABLE]: dir }, [])).toThrow(
        `${MIRROR_VARIABLE}=${dir} holds no registry.terraform.io/hashicorp/aws`,
      );
      mkdirSync(join(dir, "registry.terraform.io", "hashicorp", "aws"), { recursive: true });
      expect(findProviderMirror({ [MIRROR_VARIABLE]: dir }, [])).toBe(dir);
    });

    it("falls back to a known place, and to the registry (undefined) when there is none", () => {
      const dir = mkdtempSync(join(tmpdir(), "mirror-"));
      expect(findProviderMirror({}, [dir])).toBeUndefined();
      mkdirSync(join(dir, "registry.terraform.io", "hashicorp", "aws"), { recursive: true });
      expect(findProviderMirror({}, ["/nonexistent", dir])).toBe(dir);
    });

    it("writes a CLI config that takes hashicorp/* from the mirror and never from the network", () => {
      const config = mirrorCliConfig("/srv/mirror");
      expect(config).toContain('path    = "/srv/mirror"');
      expect(config).toMatch(/direct \{\s+exclude = \["registry.terraform.io\/hashicorp\/\*"\]/);
    });

    it("keeps real AWS credentials and profiles out of the lane's Terraform runs", () => {
      const env = laneEnv({ AWS_PROFILE: "prod", AWS_SECRET_ACCESS_KEY: "real", AWS_CA_BUNDLE: "/ca.pem", PATH: "/bin" }, { X: "1" });
      expect(env).toEqual({ AWS_CA_BUNDLE: "/ca.pem", PATH: "/bin", TF_INPUT: "0", X: "1" });
    });
  });

  describe("emulator override file", () => {
    const stack = {
      terraform: { backend: { s3: { bucket: "b", key: "k", region: "ap-northeast-2", encrypt: true, use_lockfile: true } } },
      provider: { aws: [{ region: "ap-northeast-2" }, { alias: "tokyo", region: "ap-northeast-1" }] },
    };

    it("sets emulator-only provider settings on every aws provider, aliases included", () => {
      expect(emulatorOverride(stack, { kind: "local" }).provider.aws).toEqual([
        { s3_use_path_style: true, skip_metadata_api_check: true, max_retries: 3 },
        { alias: "tokyo", s3_use_path_style: true, skip_metadata_api_check: true, max_retries: 3 },
      ]);
    });

    it("keeps the stack's own S3 backend settings and adds only the emulator endpoint", () => {
      expect(emulatorOverride(stack, { kind: "s3-emulator", endpoint: "http://127.0.0.1:1" }).terraform.backend).toEqual({
        s3: {
          bucket: "b",
          key: "k",
          region: "ap-northeast-2",
          encrypt: true,
          use_lockfile: true,
          endpoints: { s3: "http://127.0.0.1:1" },
          use_path_style: true,
          skip_metadata_api_check: true,
        },
      });
      expect(emulatorOverride(stack, { kind: "local" }).terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
    });

    it("[ACC-2] points STS at the emulator too when the backend assumes a role (the state account's)", () => {
      const assuming: any = structuredClone(stack);
      assuming.terraform.backend.s3.assume_role = { role_arn: "arn:aws:iam::444444444444:role/ecg-state/dev-deploy" };
      const backend = emulatorOverride(assuming, { kind: "s3-emulator", endpoint: "http://127.0.0.1:1" }).terraform.backend.s3;
      expect([backend.endpoints, backend.assume_role]).toEqual([
        { s3: "http://127.0.0.1:1", sts: "http://127.0.0.1:1" },
        { role_arn: "arn:aws:iam::444444444444:role/ecg-state/dev-deploy" },
      ]);
    });
  });

  describe("teardown of prevent_destroy resources", () => {
    const stack = {
      resource: {
        aws_kms_key: { key: { lifecycle: { prevent_destroy: true } }, other: {} },
        aws_s3_bucket: { b: { bucket: "x", lifecycle: { prevent_destroy: true, create_before_destroy: true } } },
        aws_db_instance: { db: { deletion_protection: true, lifecycle: { prevent_destroy: true } } },
      },
    };

    it("finds exactly the protected resources", () => {
      expect(protectedAddresses(stack)).toEqual(["aws_kms_key.key", "aws_s3_bucket.b", "aws_db_instance.db"]);
    });

    it("lifts prevent_destroy on those resources only (and lets those buckets go with their objects, those databases without protection)", () => {
      expect(teardownOverride(protectedAddresses(stack)).resource).toEqual({
        aws_kms_key: { key: { lifecycle: { prevent_destroy: false } } },
        aws_s3_bucket: { b: { lifecycle: { prevent_destroy: false }, force_destroy: true } },
        aws_db_instance: { db: { lifecycle: { prevent_destroy: false }, deletion_protection: false, skip_final_snapshot: true } },
      });
    });

    it("lists nothing the emulator cannot delete: every rotation is now a Lambda rotation (RDS no longer manages the master secret)", () => {
      const rotations = {
        resource: {
          aws_secretsmanager_secret_rotation: {
            master: { secret_id: "x", rotation_lambda_arn: "arn" },
            app: { secret_id: "y", rotation_lambda_arn: "arn" },
          },
        },
      };
      expect(destroyGapAddresses(rotations)).toEqual([]);
      expect(destroyGapAddresses({ resource: {} })).toEqual([]);
    });
  });

  describe("known emulator races", () => {
    const race = new Error(
      "Error: deleting VPC Security Group Rule: api error InvalidPermission.NotFound: The specified rule does not exist in this security\n group",
    );

    it("recognizes every listed race by its recorded error (a pattern that cannot match would retry nothing)", () => {
      expect(FLAKES.filter((f) => !f.pattern.test(f.error)).map((f) => f.error)).toEqual([]);
    });

    it("retries a deploy whose route was created twice, as the cdktf CLI prints it (stack-prefixed lines)", async () => {
      const notes: string[] = [];
      let calls = 0;
      const routeRace = new Error(
        "cdktf deploy ecg-dev failed (exit 1):\necg-dev  Error: creating Route in Route Table (rtb-1) with destination (0.0.0.0/0): operation error EC2: CreateRoute, https response error StatusCode: 400, RequestID: X, api error RouteAlreadyExists: The route identified by 0.0.0.0/0 already exists",
      );
      const value = await withFlakeRetry("apply", notes, async () => {
        calls++;
        if (calls === 1) throw routeRace;
        return "deployed";
      });
      expect([value, calls, notes.length]).toEqual(["deployed", 2, 1]);
    });

    it.each([
      "creating Secrets Manager Secret (ecg-staging/db/master): operation error Secrets Manager: CreateSecret, https response error StatusCode: 400, RequestID: x, ResourceExistsException: The operation failed because the secret ecg-staging/db/master already exists.",
      "creating ELBv2 Target Group (ecg-prod-standby-api): operation error Elastic Load Balancing v2: CreateTargetGroup, https response error StatusCode: 400, RequestID: x, DuplicateTargetGroupName: A target group with the specified name already exists.",
      "creating WAFv2 WebACL (ecg-dev-cdn): operation error WAFV2: CreateWebACL, https response error StatusCode: 400, RequestID: x, api error WafV2DuplicateItem: AWS WAF could not perform the operation because some resource in your request is a duplicate of an existing one.",
      "creating EC2 Subnet: operation error EC2: CreateSubnet, https response error StatusCode: 400, RequestID: x, api error InvalidSubnet.Conflict: The CIDR '10.1.2.0/24' conflicts with another subnet",
    ])("knows an apply's create done twice by its error as CI saw it: %s", (error) => {
      expect(FLAKES.filter((f) => f.pattern.test(error)).map((f) => f.step)).toEqual(["apply"]);
    });

    it("retries a step once when it fails with a listed race, tells the retry it is one (a destroy then refreshes), and notes it", async () => {
      const notes: string[] = [];
      const retries: boolean[] = [];
      const value = await withFlakeRetry("destroy", notes, async (retry) => {
        retries.push(retry);
        if (retries.length === 1) throw race;
        return "done";
      });
      expect([value, retries, notes.length]).toEqual(["done", [false, true], 1]);
    });

    it("retries an apply that met a create the emulator carried out twice, after the given clean-up", async () => {
      const duplicate = new Error(
        "Error: adding IAM Role (r) to IAM Instance Profile (r): operation error IAM: AddRoleToInstanceProfile, https response error StatusCode: 409, RequestID: x",
      );
      const steps: string[] = [];
      const notes: string[] = [];
      const value = await withFlakeRetry(
        "apply",
        notes,
        async () => {
          steps.push("apply");
          if (steps.length === 1) throw duplicate;
          return "applied";
        },
        async () => steps.push("sweep"),
      );
      expect([value, steps, notes.length]).toEqual(["applied", ["apply", "sweep", "apply"], 1]);
      expect(notes[0]).toMatch(
        /^apply retried once after a known emulator race \(the run that met it took \d+ s, the clean-up and retry \d+ s\): Error: adding IAM Role/,
      );
    });

    it("notes the race when the retry fails too, for the report of the failed run", async () => {
      const notes: string[] = [];
      await expect(withFlakeRetry("destroy", notes, async () => Promise.reject(race))).rejects.toThrow("InvalidPermission");
      expect(notes).toEqual([expect.stringMatching(/^destroy retried once after a known emulator race \(the run that met it took \d+ s/)]);
    });

    it("does not retry other failures, other steps, or a second failure", async () => {
      await expect(withFlakeRetry("destroy", [], async () => Promise.reject(new Error("Error: Cycle")))).rejects.toThrow("Cycle");
      await expect(withFlakeRetry("apply", [], async () => Promise.reject(race))).rejects.toThrow("InvalidPermission");
      let calls = 0;
      await expect(
        withFlakeRetry("destroy", [], async () => {
          calls++;
          return Promise.reject(race);
        }),
      ).rejects.toThrow("InvalidPermission");
      expect(calls).toBe(2);
    });
  });
  describe("stack prerequisites", () => {
    it("gives every declared variable its lane value, and fails naming a variable it has no value for", () => {
      const stack = { variable: { redis_url: { type: "string" }, database_url: { type: "string" } } };
      expect(laneInputs(stack, { redis_url: "rediss://r:6379", database_url: "postgresql://u@h:5432/d", other: "x" })).toEqual({
        TF_VAR_redis_url: "rediss://r:6379",
        TF_VAR_database_url: "postgresql://u@h:5432/d",
      });
      expect(() => laneInputs(stack, { redis_url: "x" })).toThrow("no value for the stack's variable(s) database_url");
      expect(laneInputs({})).toEqual({});
      // A variable with a default (the providers' account_role_arn) keeps it, as in a deploy.
      expect(laneInputs({ variable: { account_role_arn: { type: "string", default: "arn:aws:iam::1:role/r" } } })).toEqual({});
    });

    it("lists the public hosted zones a stack looks up, and refuses a computed name", () => {
      const stack = {
        data: { aws_route53_zone: { a: { name: "ecg-render.com", private_zone: false }, b: { name: "internal", private_zone: true } } },
      };
      expect(hostedZonePrerequisites(stack)).toEqual(["ecg-render.com"]);
      expect(() => hostedZonePrerequisites({ data: { aws_route53_zone: { a: { name: "${var.zone}" } } } })).toThrow("computed name");
    });
  });
});

describe("the lane's progress lines", () => {
  it("[#19] print one plain line when a stack's phase starts and one when it ends, with what it did, and say when it failed", async () => {
    const lines: string[] = [];
    const previous = setProgressSink((line) => lines.push(line));
    try {
      expect(
        await phase(
          "ecg-dev",
          "apply",
          async () => 287,
          (n) => `${n}/301 resources`,
        ),
      ).toBe(287);
      await expect(
        phase("ecg-dev", "destroy", async () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
    } finally {
      setProgressSink(previous);
    }
    expect(lines.map((l) => l.replace(/\d+ s/g, "N s"))).toEqual([
      "[lane N s] ecg-dev apply: started",
      "[lane N s] ecg-dev apply: done in N s (287/301 resources)",
      "[lane N s] ecg-dev destroy: started",
      "[lane N s] ecg-dev destroy: failed after N s",
    ]);
    // Plain lines: no colour codes or carriage returns, whatever the terminal.
    expect(lines.some((l) => l.includes("\u001b") || l.includes("\r"))).toBe(false);
  });
});
