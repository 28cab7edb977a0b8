import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Aspects, type IAspect } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { refuseProps } from "../common/props";
import { suppress } from "../policy";

/** IAM actions that change an identity, its policies or its boundary, or hand a role to a service. */
const IDENTITY_CHANGES = [
  "iam:Add*",
  "iam:Attach*",
  "iam:Create*",
  "iam:Delete*",
  "iam:Detach*",
  "iam:PassRole",
  "iam:Put*",
  "iam:Remove*",
  "iam:Set*",
  "iam:Tag*",
  "iam:Untag*",
  "iam:Update*",
];

export interface PermissionsBoundaryProps {
  /** The policy's name; its ARN is `arn:<partition>:iam::<account>:policy<path><name>`. */
  readonly policyName: string;
  /** @default "/" */
  readonly path?: string;
  /**
   * IAM ARNs nothing within the boundary may change: the identities that grant access to the
   * account (the roles and OIDC providers of its access stack) and this policy.
   */
  readonly protectedIdentities: readonly string[];
  /** This policy's own ARN, as principals created within the boundary must carry it (known before it exists: a name). */
  readonly arn: string;
  /** Buckets nothing within the boundary may delete or re-police (the state buckets). @default [] */
  readonly protectedBuckets?: readonly string[];
  /**
   * The account id and the IAM name pattern of the roles the program manages
   * (`ecg-*`): passing or re-trusting any other role is denied, as IAM cannot
   * check a boundary for those actions and a role without it is the way out.
   */
  readonly managedRoles: { readonly accountId: string; readonly namePattern: string };
  /** @default "aws" */
  readonly partition?: string;
}

/**
 * The most a role of the account may ever do, whatever its own policies say:
 * everything except changing the access identities, creating an IAM role or
 * user that does not carry this same boundary (the way out of it), removing a
 * boundary, and deleting or re-policing the state buckets. A boundary grants
 * nothing by itself (IAM: effective permissions are the intersection of the
 * identity policy and the boundary).
 */
export class PermissionsBoundary extends Construct {
  readonly policy: IamPolicy;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const own = `${props.path ?? "/"}${props.policyName}`;
    refuseProps(
      "PermissionsBoundary",
      id,
      props.arn.endsWith(`:policy${own}`) ? [] : [`arn: "${props.arn}" is not the ARN of policy ${own}`],
    );
    const partition = props.partition ?? "aws";
    const buckets = props.protectedBuckets ?? [];
    const document = new DataAwsIamPolicyDocument(this, "document", {
      statement: [
        { sid: "WithinTheBoundary", actions: ["*"], resources: ["*"] },
        { sid: "AccessIdentitiesUnchanged", effect: "Deny", actions: IDENTITY_CHANGES, resources: [...props.protectedIdentities] },
        // IAM's example for delegating with a boundary: principals are made, and their
        // policies changed, only when they carry it (IAM User Guide, "Permissions boundaries").
        {
          sid: "OnlyBoundedPrincipals",
          effect: "Deny",
          actions: [
            "iam:CreateRole",
            "iam:CreateUser",
            "iam:PutRolePermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:AttachUserPolicy",
            "iam:DetachUserPolicy",
            "iam:PutUserPolicy",
            "iam:DeleteUserPolicy",
          ],
          resources: ["*"],
          condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [props.arn] }],
        },
        {
          sid: "OnlyManagedRolesPassedOrRetrusted",
          effect: "Deny",
          actions: ["iam:PassRole", "iam:UpdateAssumeRolePolicy"],
          notResources: [`arn:${partition}:iam::${props.managedRoles.accountId}:role/${props.managedRoles.namePattern}`],
        },
        // The program makes no IAM user, group or customer managed policy: their credentials and versions are out of reach.
        {
          sid: "NoCredentialsOrPolicyVersions",
          effect: "Deny",
          actions: [
            "iam:AddUserToGroup",
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:CreatePolicyVersion",
            "iam:CreateServiceSpecificCredential",
            "iam:SetDefaultPolicyVersion",
            "iam:UpdateAccessKey",
            "iam:UpdateLoginProfile",
            "iam:UploadSSHPublicKey",
            "iam:UploadSigningCertificate",
          ],
          resources: ["*"],
        },
        {
          sid: "BoundariesStay",
          effect: "Deny",
          actions: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
          resources: ["*"],
        },
        ...(buckets.length
          ? [
              {
                sid: "StateBucketsStay",
                effect: "Deny",
                actions: ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy"],
                resources: buckets.map((b) => `arn:${partition}:s3:::${b}`),
              },
            ]
          : []),
      ],
    });
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      path: props.path,
      description: "Permissions boundary of every role the program and its pipelines create or use in this account",
      policy: document.json,
    });
    this.arn = props.arn;
    const caps =
      "A permissions boundary caps what roles may do and grants nothing itself: its Allow of every action is the cap, its Deny statements the limits.";
    for (const rule of ["CKV_AWS_1", "CKV_AWS_49"]) suppress(document, rule, caps);
    for (const rule of ["CKV_AWS_62", "CKV_AWS_63"]) suppress(this.policy, rule, caps);
  }
}

/** Sets a permissions boundary on every IAM role under a construct (the stacks' roles, whichever module made them). */
export class PermissionsBoundaryAspect implements IAspect {
  static apply(scope: IConstruct, boundaryArn: string): void {
    Aspects.of(scope).add(new PermissionsBoundaryAspect(boundaryArn));
  }

  private constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.boundaryArn;
  }
}
