import type { Rule } from "../engine";
import { isAnyone, ownStatements, policyStatements, type ResourceView, type Statement, type StackModel } from "../model";
import { isExpression, Uninspectable } from "./helpers";

const POLICY_TYPES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];
const POLICY_DOCUMENT = "data.aws_iam_policy_document";

/** The statements of a policy resource's document (`policy`, or an SSO permission set's `inline_policy`). */
function resourceStatements(resource: ResourceView, model: StackModel): Statement[] {
  const policy = resource.type === "aws_ssoadmin_permission_set_inline_policy" ? resource.config.inline_policy : resource.config.policy;
  const statements = policyStatements(model, policy);
  if (!statements) throw new Uninspectable("the policy is not literal JSON or an aws_iam_policy_document");
  return statements;
}

const allows = (s: Statement) => s.effect === "Allow";
const starAction = (s: Statement) => allows(s) && s.actions.includes("*");
const adminStatement = (s: Statement) => starAction(s) && s.resources.includes("*");

/** The trust policy of a role; a reference to a policy document is read through it. */
function trustStatements(role: ResourceView, model: StackModel): Statement[] {
  const statements = policyStatements(model, role.config.assume_role_policy);
  if (!statements) throw new Uninspectable("the trust policy is not literal JSON or an aws_iam_policy_document");
  return statements;
}

/** A rule over documents: on policy documents themselves, and on roles whose trust is literal JSON (a document reference is checked at the document). */
function documentOrLiteralTrust(subject: ResourceView, model: StackModel): Statement[] {
  if (subject.type === "aws_iam_policy_document") return ownStatements(model, subject);
  return model.referenced(subject.config.assume_role_policy)?.type === "aws_iam_policy_document" ? [] : trustStatements(subject, model);
}

// ------------------------------------------------------------------ service trusts

const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn"];

/**
 * Service principals that AWS documents no source keys for when they assume a
 * role: a condition the service does not send denies every assumption (IAM
 * User Guide, "The confused deputy problem"). Each with where that stands.
 */
export const WITHOUT_SOURCE_KEYS: Readonly<Record<string, string>> = {
  "ec2.amazonaws.com": "instance-profile roles: the EC2 User Guide documents no source keys for them",
  "lambda.amazonaws.com": "execution roles: the Lambda Developer Guide gives no aws:SourceArn for them",
  "codepipeline.amazonaws.com": "the CodePipeline User Guide documents the service role's trust without source keys",
  "ecr.amazonaws.com": "the ECR User Guide documents the repository creation template role's trust without source keys",
  "cloudtrail.amazonaws.com":
    'the CloudWatch Logs role: "doesn\'t support the use of aws:SourceArn and aws:SourceAccount" (CloudTrail User Guide)',
};

// ------------------------------------------------------------------ OIDC trusts

const GITHUB = "token.actions.githubusercontent.com";
const TFC = "app.terraform.io";

/** Tests that do not limit a claim: the negated and "if exists" forms let other values through. */
const limits = (test: string) => !/Not|IfExists/.test(test);

/**
 * The issuer a federated principal names: the provider ARN's host, or, when the ARN is
 * a reference to an aws_iam_openid_connect_provider (resource or data source), its url.
 */
function federatedIssuer(principal: string, model: StackModel): string {
  const identifier = principal.slice("Federated:".length);
  const provider = model.referenced(identifier);
  if (provider?.type !== "aws_iam_openid_connect_provider") return identifier;
  const url = provider.config.url;
  // A data source found by arn, or a url from a variable: which issuer it trusts cannot be read.
  if (typeof url !== "string" || isExpression(url))
    throw new Uninspectable(`the issuer of ${provider.address} (its url) is not written in the configuration`);
  return url;
}

/** Statements that let `issuer`'s web identities assume the role. */
const federatedBy = (statements: readonly Statement[], issuer: string, model: StackModel) =>
  statements.filter((s) => allows(s) && s.principals.some((p) => p.startsWith("Federated:") && federatedIssuer(p, model).includes(issuer)));

/** Values of the limiting conditions on `claim` (`<issuer>:sub`); undefined when there is none. */
function claimValues(statement: Statement, variable: RegExp): string[] | undefined {
  const computed = statement.conditions.find((c) => isExpression(c.variable));
  if (computed) throw new Uninspectable(`the condition key ${JSON.stringify(computed.variable)} is an expression`);
  const conditions = statement.conditions.filter((c) => variable.test(c.variable) && limits(c.test));
  if (conditions.length === 0) return undefined;
  const values = conditions.flatMap((c) => c.values);
  const expression = values.find(isExpression);
  if (expression) throw new Uninspectable(`the condition value ${JSON.stringify(expression)} is an expression`);
  return values;
}

const GITHUB_SUB = /^token\.actions\.githubusercontent\.com(\/[\w-]+)?:sub$/;
const GITHUB_AUD = /^token\.actions\.githubusercontent\.com(\/[\w-]+)?:aud$/;
/** Subject prefixes any repository can present (checkov's list of abusable claims). */
const ABUSABLE_CLAIMS = /^(workflow|environment|ref|context|head_ref|base_ref)/;
/** `owner/repository`: the owner literal, the repository a name or a pattern within that owner. */
const GITHUB_REPOSITORY = /^[\w.-]+\/[\w.*-]+$/;

/** CKV_AWS_358's reading of one `sub` value: why any repository could match it. */
function githubSubjectProblem(value: string): string | undefined {
  if (value === "*") return "sub is *";
  const [first, second] = value.split(":");
  if (second === undefined) return `sub ${value} is not a claim`;
  if (second === "*") return `sub ${value} allows every repository`;
  if (ABUSABLE_CLAIMS.test(first)) return `sub ${value} names a claim any repository can present`;
  if (first === "repo" && !GITHUB_REPOSITORY.test(second)) return `sub ${value} does not name an owner/repository`;
  return undefined;
}

/** Problems of GitHub trusts in `statements`: `strict` also wants named repositories and aud = sts.amazonaws.com. */
function githubTrustProblems(statements: readonly Statement[], strict: boolean, model: StackModel): string[] {
  return federatedBy(statements, GITHUB, model).flatMap((s) => {
    const subjects = claimValues(s, GITHUB_SUB);
    if (subjects === undefined) return [`no condition limits ${GITHUB}:sub`];
    const problems = subjects.flatMap((v) => githubSubjectProblem(v) ?? []);
    if (strict) {
      problems.push(
        ...subjects
          .filter((v) => v.startsWith("repo:") && /[*?]/.test(v.split(":")[1] ?? ""))
          .map((v) => `sub ${v} is a pattern, not named repositories`),
      );
    }
    const audiences = claimValues(s, GITHUB_AUD);
    if (audiences?.some((a) => a !== "sts.amazonaws.com")) problems.push(`aud ${audiences.join(", ")} is not sts.amazonaws.com`);
    if (strict && audiences === undefined) problems.push(`no condition limits ${GITHUB}:aud to sts.amazonaws.com`);
    return problems;
  });
}

/** `organization:<org>[:project:<project>]:workspace:<workspace>:run_phase:<phase>` with org and workspace named. */
function tfcSubjectProblem(value: string): string | undefined {
  const match = /^organization:([^:]+)(?::project:([^:]+))?:workspace:([^:]+)(?::run_phase:([^:]+))?$/.exec(value);
  if (!match) return `sub ${value} does not name an organization and a workspace`;
  if (match[1].includes("*") || match[1].includes("?")) return `sub ${value} does not name one organization`;
  if (match[3].includes("*") || match[3].includes("?")) return `sub ${value} does not name a workspace`;
  return undefined;
}

function tfcTrustProblems(statements: readonly Statement[], model: StackModel): string[] {
  return federatedBy(statements, TFC, model).flatMap((s) => {
    const subjects = claimValues(s, /^app\.terraform\.io:sub$/);
    const audiences = claimValues(s, /^app\.terraform\.io:aud$/);
    const problems = subjects === undefined ? [`no condition limits ${TFC}:sub`] : subjects.flatMap((v) => tfcSubjectProblem(v) ?? []);
    if (audiences === undefined || audiences.some((a) => a !== "aws.workload.identity"))
      problems.push(`${TFC}:aud is not limited to aws.workload.identity`);
    return problems;
  });
}

export const iamRules: Rule[] = [
  {
    ids: ["CKV_AWS_1"],
    title: 'Policy documents do not allow "*" actions on "*" resources (full admin)',
    severity: "error",
    types: [POLICY_DOCUMENT],
    check: (document, model) => (ownStatements(model, document).some(adminStatement) ? 'Allow "*" on "*"' : undefined),
    fix: "list the actions the role needs, on the resources it needs them",
  },
  {
    ids: ["CKV_AWS_49"],
    title: 'Policy documents do not allow "*" as an action',
    severity: "error",
    types: [POLICY_DOCUMENT],
    check: (document, model) => (ownStatements(model, document).some(starAction) ? 'Allow with Action "*"' : undefined),
    fix: "list the actions the role needs",
  },
  {
    ids: ["CKV_AWS_62"],
    title: 'IAM policies do not allow "*" actions on "*" resources (full admin)',
    severity: "error",
    types: POLICY_TYPES,
    check: (resource, model) => (resourceStatements(resource, model).some(adminStatement) ? 'Allow "*" on "*"' : undefined),
    fix: "list the actions the role needs, on the resources it needs them",
  },
  {
    ids: ["CKV_AWS_63"],
    title: 'IAM policies do not allow "*" as an action',
    severity: "error",
    types: [...POLICY_TYPES, "aws_ssoadmin_permission_set_inline_policy"],
    check: (resource, model) => (resourceStatements(resource, model).some(starAction) ? 'Allow with Action "*"' : undefined),
    fix: "list the actions the role needs",
  },
  {
    ids: ["ECG_IAM_BROAD_ACTIONS"],
    title: 'No IAM policy allows every action by "*:*" or by NotAction on every resource',
    severity: "error",
    types: [...POLICY_TYPES, "aws_ssoadmin_permission_set_inline_policy"],
    check: (resource, model) => {
      const broad = resourceStatements(resource, model).filter(
        (s) => allows(s) && (s.actions.includes("*:*") || (s.notActions.length > 0 && s.resources.includes("*"))),
      );
      return broad.length ? `Allow with Action "*:*" or NotAction on every resource (${broad.length} statement(s))` : undefined;
    },
    fix: "list the actions the role needs, on the resources it needs them",
  },
  {
    ids: ["CKV_AWS_60"],
    title: "No role trusts every AWS principal",
    severity: "error",
    types: ["aws_iam_role"],
    check: (role, model) =>
      trustStatements(role, model).some((s) => allows(s) && s.principals.some(isAnyone))
        ? "the trust policy allows any principal (Principal *)"
        : undefined,
    fix: "trust the one service or account that assumes the role, with aws:SourceAccount/SourceArn conditions",
    note: 'A Principal written as the string "*" counts as {"AWS": "*"}, as IAM reads it (checkov misses the string form).',
  },
  {
    ids: ["ECG_IAM_TRUST_NAMED"],
    title: "Trust policies name who may assume the role (no NotPrincipal)",
    severity: "error",
    types: ["aws_iam_role"],
    check: (role, model) =>
      trustStatements(role, model).some((s) => allows(s) && s.notPrincipals.length > 0)
        ? "the trust policy allows by NotPrincipal"
        : undefined,
    fix: "trust the one service or account that assumes the role",
  },
  {
    ids: ["ECG_SERVICE_TRUST_SOURCE"],
    title: "Service trusts limit the service to this account's sources (aws:SourceAccount / aws:SourceArn)",
    severity: "error",
    types: ["aws_iam_role"],
    check: (role, model) => {
      const unguarded = trustStatements(role, model)
        .filter((s) => allows(s) && !s.conditions.some((c) => SOURCE_KEYS.includes(c.variable.toLowerCase()) && limits(c.test)))
        .flatMap((s) => s.principals.filter((p) => p.startsWith("Service:")).map((p) => p.slice("Service:".length)))
        .filter((service) => !(service in WITHOUT_SOURCE_KEYS));
      return unguarded.length ? `${[...new Set(unguarded)].join(", ")} may assume the role for any account (confused deputy)` : undefined;
    },
    fix: "add StringEquals aws:SourceAccount = <account> and ArnLike aws:SourceArn = <the resource the service acts for> (modules/common/trust.ts serviceTrustPolicy)",
  },
  {
    ids: ["CKV_AWS_358"],
    title: "GitHub Actions OIDC trusts limit the token's subject to repositories",
    severity: "error",
    types: [POLICY_DOCUMENT, "aws_iam_role"],
    check: (subject, model) => {
      const problems = githubTrustProblems(documentOrLiteralTrust(subject, model), false, model);
      return problems.length ? problems.join("; ") : undefined;
    },
    fix: 'add StringEquals/StringLike "token.actions.githubusercontent.com:sub" = "repo:<owner>/<repository>:<ref or environment>" and "…:aud" = "sts.amazonaws.com"',
    note: "Every statement and every sub value is read, negated tests (StringNotLike) do not limit, and an aud other than sts.amazonaws.com (GitHub's audience for AWS) fails (checkov reads the first statement and sub value, ignores the test and never reads aud).",
  },
  {
    ids: ["ECG_GITHUB_OIDC_TRUST"],
    title: "GitHub Actions OIDC trusts name their repositories and the STS audience",
    severity: "error",
    types: ["aws_iam_role"],
    check: (role, model) => {
      const problems = githubTrustProblems(trustStatements(role, model), true, model);
      return problems.length ? problems.join("; ") : undefined;
    },
    fix: 'limit "token.actions.githubusercontent.com:sub" to repo:<owner>/<repository>:… values without wildcards in owner or repository, and "…:aud" to "sts.amazonaws.com"',
  },
  {
    ids: ["ECG_TFC_OIDC_TRUST"],
    title: "Terraform Cloud OIDC trusts name the organization and workspace, and the workload-identity audience",
    severity: "error",
    types: ["aws_iam_role"],
    check: (role, model) => {
      const problems = tfcTrustProblems(trustStatements(role, model), model);
      return problems.length ? problems.join("; ") : undefined;
    },
    fix: 'limit "app.terraform.io:sub" to "organization:<org>:project:<project>:workspace:<workspace>:run_phase:*" and "app.terraform.io:aud" to "aws.workload.identity"',
  },
];
