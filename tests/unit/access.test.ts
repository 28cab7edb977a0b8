import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Testing } from "cdktf";
import type { Construct } from "constructs";
import {
  AccessRole,
  GITHUB_ACTIONS,
  OidcProvider,
  PermissionsBoundary,
  PermissionsBoundaryAspect,
  WebIdentityRole,
} from "../../modules/access";
import { resourcesOf, synthJson } from "../helpers";

const BOUNDARY = "arn:aws:iam::111111111111:policy/ecg-access/boundary";
const synth = (build: (scope: Construct) => void) => synthJson(Testing.synthScope(build));
const githubRole = (scope: Construct, subjects: string[], extra: Partial<ConstructorParameters<typeof WebIdentityRole>[2]> = {}) =>
  new WebIdentityRole(scope, "role", {
    roleName: "r",
    description: "test",
    provider: new OidcProvider(scope, "github", { issuer: GITHUB_ACTIONS }),
    subjects,
    ...extra,
  });

describe("access module", () => {
  it("[ACC-3] a web identity role trusts its issuer's provider, the issuer's audience and exactly its subjects", () => {
    const synthesized = synth((scope) => githubRole(scope, ["repo:o/r:pull_request"], { managedPolicies: ["ReadOnlyAccess"] }));
    const [[, trust]] = Object.entries<any>(synthesized.data!.aws_iam_policy_document);
    expect(trust.statement).toEqual([
      {
        sid: "WebIdentity",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [
          { type: "Federated", identifiers: [expect.stringMatching(/^\$\{aws_iam_openid_connect_provider\.github_provider_\w+\.arn\}$/)] },
        ],
        condition: [
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:o/r:pull_request"] },
        ],
      },
    ]);
    expect(resourcesOf(synthesized, "aws_iam_role_policy_attachment").map(([, a]) => a.policy_arn)).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    expect(resourcesOf(synthesized, "aws_iam_role")[0][1]).toMatchObject({ name: "r", max_session_duration: 3600 });
  });

  it("refuses a subject pattern, no subject, a session outside IAM's limits and a name over 64 characters", () => {
    expect(() => synth((scope) => githubRole(scope, ["repo:o/*:pull_request"]))).toThrow(
      'subjects: "repo:o/*:pull_request" is a pattern; name each subject exactly',
    );
    expect(() => synth((scope) => githubRole(scope, []))).toThrow("subjects: at least one subject is needed");
    expect(() => synth((scope) => githubRole(scope, ["repo:o/r:pull_request"], { maxSessionDurationSeconds: 60 }))).toThrow(
      "maxSessionDurationSeconds: 60 is outside IAM's 3600-43200",
    );
    expect(() => synth((scope) => githubRole(scope, ["repo:o/r:pull_request"], { roleName: "x".repeat(65) }))).toThrow(
      "is longer than IAM's 64 characters",
    );
  });

  it("a boundary denies changing the protected identities, unbounded principals and boundary removal, and refuses an ARN that is not its own", () => {
    const synthesized = synth(
      (scope) =>
        new PermissionsBoundary(scope, "boundary", {
          policyName: "boundary",
          path: "/ecg-access/",
          arn: BOUNDARY,
          protectedIdentities: [BOUNDARY, "arn:aws:iam::111111111111:role/ecg-terraform"],
          protectedBuckets: ["state"],
          managedRoles: { accountId: "111111111111", namePattern: "ecg-*" },
        }),
    );
    const [[, document]] = Object.entries<any>(synthesized.data!.aws_iam_policy_document);
    const bySid = Object.fromEntries(document.statement.map((s: any) => [s.sid, s]));
    expect(document.statement.map((s: any) => [s.sid, s.effect ?? "Allow"])).toEqual([
      ["WithinTheBoundary", "Allow"],
      ["AccessIdentitiesUnchanged", "Deny"],
      ["OnlyBoundedPrincipals", "Deny"],
      ["OnlyManagedRolesPassedOrRetrusted", "Deny"],
      ["NoCredentialsOrPolicyVersions", "Deny"],
      ["BoundariesStay", "Deny"],
      ["StateBucketsStay", "Deny"],
    ]);
    // Principals are made, and their policies changed, only with this boundary on them.
    expect(bySid.OnlyBoundedPrincipals.condition).toEqual([
      { test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY] },
    ]);
    expect(bySid.OnlyBoundedPrincipals.actions).toEqual(
      expect.arrayContaining(["iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"]),
    );
    expect(bySid.OnlyManagedRolesPassedOrRetrusted.not_resources).toEqual(["arn:aws:iam::111111111111:role/ecg-*"]);
    expect(bySid.StateBucketsStay.resources).toEqual(["arn:aws:s3:::state"]);
    expect(() =>
      synth(
        (scope) =>
          new PermissionsBoundary(scope, "b", {
            policyName: "other",
            arn: BOUNDARY,
            protectedIdentities: [],
            managedRoles: { accountId: "111111111111", namePattern: "ecg-*" },
          }),
      ),
    ).toThrow('arn: "arn:aws:iam::111111111111:policy/ecg-access/boundary" is not the ARN of policy /other');
  });

  it("the boundary aspect sets the boundary on every role under its scope, whichever construct made it", () => {
    const synthesized = synth((scope) => {
      new IamRole(scope, "plain", { name: "plain", assumeRolePolicy: "{}" });
      new AccessRole(scope, "access", { roleName: "access", description: "d", trust: { statement: [] } });
      PermissionsBoundaryAspect.apply(scope, BOUNDARY);
    });
    expect(resourcesOf(synthesized, "aws_iam_role").map(([, r]) => [r.name, r.permissions_boundary])).toEqual([
      ["access", BOUNDARY],
      ["plain", BOUNDARY],
    ]);
  });
});
