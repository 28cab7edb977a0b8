import type { Rule } from "../engine";
import { hasItems, isSet, nested, text } from "./helpers";

/**
 * Arguments Terraform keeps in the state in clear text (sensitive only hides
 * them in the CLI's output), by resource type, with the way to keep the value
 * out: a write-only argument (Terraform >= 1.11, hashicorp/aws >= 5.88), a
 * value the service generates itself, or IAM authentication.
 */
const STORED_SECRETS: Readonly<Record<string, { readonly arguments: readonly string[]; readonly instead: string }>> = {
  aws_secretsmanager_secret_version: { arguments: ["secret_string", "secret_binary"], instead: "secret_string_wo" },
  aws_db_instance: { arguments: ["password"], instead: "password_wo, or manage_master_user_password" },
  aws_rds_cluster: { arguments: ["master_password"], instead: "master_password_wo, or manage_master_user_password" },
  aws_docdb_cluster: { arguments: ["master_password"], instead: "master_password_wo" },
  aws_redshift_cluster: { arguments: ["master_password"], instead: "master_password_wo, or manage_master_password" },
  aws_ssm_parameter: { arguments: ["value"], instead: "value_wo" },
  aws_elasticache_replication_group: { arguments: ["auth_token"], instead: "RBAC user_group_ids with IAM-authenticated users" },
  aws_elasticache_user: { arguments: ["passwords"], instead: 'authentication_mode { type = "iam" }' },
};
/** Resources whose whole purpose is a value they store in the state. */
const GENERATORS: Readonly<Record<string, string>> = {
  random_password: "an ephemeral aws_secretsmanager_random_password passed to a write-only argument",
  tls_private_key: "a key generated outside Terraform, or the service's own (e.g. Secrets Manager rotation)",
};

export const secretRules: Rule[] = [
  {
    ids: ["ECG_SECRET_IN_STATE"],
    title: "No secret value is stored in the Terraform state",
    severity: "error",
    types: [...Object.keys(STORED_SECRETS), ...Object.keys(GENERATORS)],
    check: ({ type, config }) => {
      if (GENERATORS[type]) return `${type} keeps what it generates in the state (use ${GENERATORS[type]})`;
      const { arguments: names, instead } = STORED_SECRETS[type];
      // A plain SSM String parameter is configuration, not a secret.
      if (type === "aws_ssm_parameter" && text(config, "type") !== "SecureString") return undefined;
      // A plan shows unset lists as []: only a value counts.
      const stored = names.filter((name) => (Array.isArray(config[name]) ? hasItems(config[name]) : isSet(config[name])));
      if (type === "aws_elasticache_user") {
        if (nested(config, "authentication_mode").some((mode) => hasItems(mode.passwords))) stored.push("authentication_mode.passwords");
      }
      return stored.length ? `${stored.join(", ")} would be stored in the state (use ${instead})` : undefined;
    },
    fix: "pass the value through a write-only argument (*_wo, with its *_wo_version) from an ephemeral resource, let the service generate it, or authenticate with IAM",
  },
];
