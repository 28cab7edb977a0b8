import type { AccessConfig, StateAccountConfig } from "./types";

/**
 * The AWS accounts the program deploys to, and who reaches them: the first
 * file to edit (docs/operations.md, "Before the first deployment").
 *
 * Every id below is a placeholder: 111111111111, 222222222222, … are no
 * one's accounts, and `allowed_account_ids` on every provider stops a run
 * against a real account until they are replaced by yours.
 */
export const accountIds = {
  dev: "111111111111",
  staging: "222222222222",
  prod: "333333333333",
  /** State buckets and the delivery pipeline: no environment runs here. */
  tooling: "444444444444",
} as const;

/** The role the program's providers assume in an environment's account; its access stack creates it. */
export const programRoleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/ecg-terraform`;

/** The role an environment's stacks reach their state with, in the tooling account; `ecg-state` creates it. */
export const stateRoleArn = (environment: string) => `arn:aws:iam::${accountIds.tooling}:role/ecg-state/${environment}-deploy`;

export const stateAccount: StateAccountConfig = { id: accountIds.tooling };

/**
 * The delivery pipeline's stack runs in the tooling account through this
 * role, which an administrator of that account creates (like `ecg-state`,
 * the tooling account has no access stack).
 */
export const deliveryAccount = { id: accountIds.tooling, roleArn: `arn:aws:iam::${accountIds.tooling}:role/ecg-delivery-terraform` };

/**
 * This repository on GitHub (its workflows plan and deploy), Terraform Cloud
 * runs, and the administrators who apply the access stacks and may assume
 * the program's role: roles of the account they sign in to (555555555555,
 * e.g. the organization's management account), never of an environment's
 * (each environment's roles trust them). They reach an environment account
 * through its bootstrap role, AWS Organizations' `OrganizationAccountAccessRole`
 * unless `bootstrapRoleName` says otherwise. Replace them with yours.
 */
export const access: AccessConfig = {
  github: { owner: "ecg-render", repository: "ecg-render-infrastructure" },
  terraformCloud: true,
  administrators: ["arn:aws:iam::555555555555:role/platform-administrators"],
};
