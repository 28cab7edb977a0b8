import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Construct } from "constructs";
import type { AwsAccount } from "./aws-account";

/**
 * A role trust policy for an AWS service acting for this account only: the
 * confused-deputy guard of aws:SourceAccount and aws:SourceArn, so another
 * account cannot make the service assume the role on its behalf.
 */
export function serviceTrustPolicy(
  scope: Construct,
  id: string,
  service: string,
  account: AwsAccount,
  sourceArn: string,
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [service] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [sourceArn] },
        ],
      },
    ],
  });
}
