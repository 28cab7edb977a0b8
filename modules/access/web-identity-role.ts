import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { refuseProps } from "../common/props";
import { issuerHost, type OidcProvider } from "./oidc";

/** IAM: a role's maximum session is 1-12 hours. */
const SESSION_LIMITS = { min: 3600, max: 43200 } as const;

export interface AccessRoleProps {
  readonly roleName: string;
  /** IAM path of the role. @default "/" */
  readonly path?: string;
  readonly description: string;
  /** AWS managed policies by name (`ReadOnlyAccess`) or customer ones by ARN. @default [] */
  readonly managedPolicies?: readonly string[];
  /** The role's inline policy. @default - none */
  readonly statements?: readonly DataAwsIamPolicyDocumentStatement[];
  /** The permissions boundary's ARN. @default - none */
  readonly permissionsBoundary?: string;
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** The partition of managed policy ARNs. @default "aws" */
  readonly partition?: string;
}

/** Who may assume a role: the trust policy's statements. */
export interface AccessRoleTrust {
  readonly statement: DataAwsIamPolicyDocumentStatement[];
}

/**
 * A role whose trust and permissions are all given: the trust document, managed
 * policies attached, one inline policy, an optional boundary.
 */
export class AccessRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;
  readonly trust: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: AccessRoleProps & { readonly trust: AccessRoleTrust }) {
    super(scope, id);
    const session = props.maxSessionDurationSeconds ?? SESSION_LIMITS.min;
    refuseProps("AccessRole", id, [
      ...(session < SESSION_LIMITS.min || session > SESSION_LIMITS.max
        ? [`maxSessionDurationSeconds: ${session} is outside IAM's 3600-43200`]
        : []),
      ...(props.roleName.length > 64 ? [`roleName: "${props.roleName}" is longer than IAM's 64 characters`] : []),
    ]);
    this.trust = new DataAwsIamPolicyDocument(this, "trust", props.trust);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      path: props.path,
      description: props.description,
      assumeRolePolicy: this.trust.json,
      maxSessionDuration: session,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.arn = this.role.arn;
    const partition = props.partition ?? "aws";
    (props.managedPolicies ?? []).forEach((policy, i) => {
      const policyArn = policy.startsWith("arn:") ? policy : `arn:${partition}:iam::aws:policy/${policy}`;
      new IamRolePolicyAttachment(this, `managed-${i}`, { role: this.role.name, policyArn });
    });
    if (props.statements?.length) {
      const document = new DataAwsIamPolicyDocument(this, "policy-document", { statement: [...props.statements] });
      new IamRolePolicy(this, "policy", { role: this.role.id, name: props.roleName, policy: document.json });
    }
  }
}

export interface WebIdentityRoleProps extends AccessRoleProps {
  readonly provider: OidcProvider;
  /** The exact `sub` claims admitted (no wildcards: a pattern admits subjects nobody reviewed). */
  readonly subjects: readonly string[];
}

/**
 * A role assumed with a web identity token of one OIDC issuer: the audience
 * must be the issuer's AWS audience, the subject one of `subjects`, exactly.
 */
export class WebIdentityRole extends AccessRole {
  constructor(scope: Construct, id: string, props: WebIdentityRoleProps) {
    refuseProps("WebIdentityRole", id, [
      ...(props.subjects.length === 0 ? ["subjects: at least one subject is needed: a role nobody can assume is a mistake"] : []),
      ...props.subjects.filter((s) => /[*?]/.test(s)).map((s) => `subjects: "${s}" is a pattern; name each subject exactly`),
    ]);
    const host = issuerHost(props.provider.issuer);
    super(scope, id, {
      ...props,
      trust: {
        statement: [
          {
            sid: "WebIdentity",
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: [props.provider.arn] }],
            condition: [
              { test: "StringEquals", variable: `${host}:aud`, values: [props.provider.issuer.audience] },
              { test: "StringEquals", variable: `${host}:sub`, values: [...props.subjects] },
            ],
          },
        ],
      },
    });
  }
}
