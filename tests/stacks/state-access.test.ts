import type { SynthesizedStack } from "../helpers";
import { ACCOUNTS, ADMINISTRATOR, STATE_ACCOUNT, STATE_ROLE } from "./layouts";
import { synthProgram } from "./synth";
import { assumableRoles } from "./trust";

/**
 * [ACC-2] State in its own account: the bootstrap stack there creates each environment's
 * state roles, and the bucket policies keep every environment out of the others' keys.
 */

const multi = synthProgram();
const state = multi.stacks["ecg-state"];
const github = (env: string, purpose: string) => `arn:aws:iam::${ACCOUNTS[env].id}:role/ecg-access/ecg-${env}-github-${purpose}`;
const documentOf = (stack: SynthesizedStack, reference: string) =>
  (stack.data as any).aws_iam_policy_document[/data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(reference)![1]].statement;
/** The bucket policy statements of the bucket whose name is `bucket`. */
function bucketPolicy(bucket: string): any[] {
  const [logical] = Object.entries<any>(state.resource?.aws_s3_bucket ?? {}).find(([, b]) => b.bucket === bucket)!;
  const policy = Object.values<any>(state.resource?.aws_s3_bucket_policy ?? {}).find((p) => p.bucket.includes(`aws_s3_bucket.${logical}.`));
  return documentOf(state, policy.policy);
}
const PRIMARY = "ecg-render-terraform-state";
const FAILOVER = "ecg-render-terraform-state-ap-northeast-1";

describe("[ACC-2] state roles and the state buckets' policies", () => {
  it("the bootstrap stack pins the state account (both regions) and outputs each environment's state roles for plan.yml's variables", () => {
    expect((state.provider!.aws as any[]).map((p) => p.allowed_account_ids)).toEqual([[STATE_ACCOUNT], [STATE_ACCOUNT]]);
    expect(state.output?.state_role_arns.value.staging).toEqual({ plan: STATE_ROLE("staging", "plan"), deploy: STATE_ROLE("staging") });
  });

  it.each<[string, string, string[]]>([
    ["staging's deploy role reaches staging's deploy state role only", github("staging", "deploy"), [STATE_ROLE("staging")]],
    ["staging's plan role reaches staging's plan state role only", github("staging", "plan"), [STATE_ROLE("staging", "plan")]],
    ["dev's deploy role reaches dev's only", github("dev", "deploy"), [STATE_ROLE("dev")]],
    ["an administrator reaches every deploy state role", ADMINISTRATOR, [STATE_ROLE("dev"), STATE_ROLE("prod"), STATE_ROLE("staging")]],
    ["another role of an environment account: nothing", `arn:aws:iam::${ACCOUNTS.prod.id}:role/ecg-prod-backend-api-task`, []],
  ])("who assumes the state roles: %s", (_, principal, expected) => {
    expect(assumableRoles({ "ecg-state": state }, { principal }).sort()).toEqual(expected);
  });

  it("each state role reaches its own environment's stacks' keys, read (plan) or read and write (deploy)", () => {
    const policies = Object.values<any>(state.resource?.aws_iam_role_policy ?? {});
    const grantOf = (name: string) => documentOf(state, policies.find((p) => p.name === name).policy)[1];
    const staging = grantOf("staging-deploy");
    expect(staging.actions).toEqual(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    expect(staging.resources.map((r: string) => r.replace(/^\$\{aws_s3_bucket\.[\w-]+\.arn\}\//, ""))).toEqual([
      "ecg-access-staging/*",
      `ecg-account-${ACCOUNTS.staging.id}-ap-northeast-2/*`,
      "ecg-staging/*",
    ]);
    expect(grantOf("staging-plan").actions).toEqual(["s3:GetObject"]);
    // Prod's standby and global stacks keep their state in the failover bucket.
    expect(grantOf("prod-deploy").resources.filter((r: string) => r.endsWith("standby/*") || r.endsWith("global/*"))).toHaveLength(2);
  });

  it("[SEC-4] each state role uses its buckets' KMS keys through S3 only, for those buckets' objects: decrypt (plan), decrypt and generate data keys (deploy)", () => {
    const policies = Object.values<any>(state.resource?.aws_iam_role_policy ?? {});
    const keyGrant = (name: string) =>
      documentOf(state, policies.find((p) => p.name === name).policy).find((st: any) => st.sid === "StateKeyThroughS3");
    // The state buckets' keys (the audit archive's is no state key).
    const keyArns = (stack: SynthesizedStack) =>
      Object.keys(stack.resource?.aws_kms_key ?? {})
        .filter((id) => id.includes("state-key"))
        .map((id) => `\${aws_kms_key.${id}.arn}`);
    const prod = keyGrant("prod-deploy");
    expect(prod.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    // Prod's standby and global stacks keep their state in the failover bucket, under that region's key.
    expect(prod.resources.sort()).toEqual(keyArns(state).sort());
    expect(keyGrant("staging-deploy").resources).toHaveLength(1);
    expect(keyGrant("staging-plan").actions).toEqual(["kms:Decrypt"]);
    expect(prod.condition).toEqual([
      { test: "StringLike", variable: "kms:ViaService", values: ["s3.*.amazonaws.com"] },
      {
        test: "StringLike",
        variable: "kms:EncryptionContext:aws:s3:arn",
        values: expect.arrayContaining([expect.stringMatching(/\.arn\}\/\*$/)]),
      },
    ]);
  });

  it("the bucket policies deny every other principal an environment's keys: reads but its two roles, writes but its deploy role", () => {
    const denies = [...bucketPolicy(PRIMARY), ...bucketPolicy(FAILOVER)].filter(
      (s) => s.effect === "Deny" && s.condition?.[0]?.variable === "aws:PrincipalArn",
    );
    const table = denies.map((s) => [s.sid, s.actions, s.condition[0].test, s.condition[0].values]);
    expect(table).toEqual(
      expect.arrayContaining([
        ["StateOfStagingReadByItsRolesOnly", ["s3:GetObject*"], "ArnNotEquals", [STATE_ROLE("staging", "plan"), STATE_ROLE("staging")]],
        [
          "StateOfStagingWrittenByItsDeployRoleOnly",
          ["s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
          "ArnNotEquals",
          [STATE_ROLE("staging")],
        ],
      ]),
    );
    // Every environment's keys are guarded, each by its own roles, and no key belongs to two environments.
    const written = denies.filter((s) => s.sid.endsWith("WrittenByItsDeployRoleOnly"));
    expect(written.map((s) => s.sid).sort()).toEqual([
      "StateOfDevWrittenByItsDeployRoleOnly",
      "StateOfProdWrittenByItsDeployRoleOnly",
      "StateOfProdWrittenByItsDeployRoleOnly",
      "StateOfStagingWrittenByItsDeployRoleOnly",
    ]);
    const keys = written.flatMap((s) => s.resources);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("every environment stack's state is in a key its own environment's roles guard", () => {
    const guarded = new Map<string, string>();
    for (const bucket of [PRIMARY, FAILOVER]) {
      for (const s of bucketPolicy(bucket).filter((s: any) => s.sid?.endsWith("WrittenByItsDeployRoleOnly"))) {
        for (const key of s.resources)
          guarded.set(key.replace(/^\$\{aws_s3_bucket\.[\w-]+\.arn\}\//, "").replace("/*", ""), s.condition[0].values[0]);
      }
    }
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const role = stack.terraform?.backend?.s3?.assume_role?.role_arn;
      if (!role) continue;
      expect([name, guarded.get(name)]).toEqual([name, role]);
    }
  });
});
