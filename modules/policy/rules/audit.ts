import type { Rule } from "../engine";
import { flag, isSet, nested } from "./helpers";

const TRAIL = ["aws_cloudtrail"];

/** The account baseline's detective controls (modules/account-baseline). */
export const auditRules: Rule[] = [
  {
    ids: ["CKV_AWS_35"],
    title: "CloudTrail logs are encrypted with a customer-managed KMS key",
    severity: "error",
    types: TRAIL,
    check: ({ config }) => (isSet(config.kms_key_id) ? undefined : "no kms_key_id"),
    fix: "set kms_key_id to a key whose policy lets CloudTrail encrypt for this trail (modules/account-baseline AuditArchive)",
  },
  {
    ids: ["CKV_AWS_36"],
    title: "CloudTrail log file validation is on",
    severity: "error",
    types: TRAIL,
    check: ({ config }) => (flag(config, "enable_log_file_validation") === true ? undefined : "enable_log_file_validation is off"),
    fix: "set enable_log_file_validation = true: digest files prove a log was not changed or deleted",
  },
  {
    ids: ["CKV_AWS_67"],
    title: "CloudTrail trails record every region",
    severity: "error",
    types: TRAIL,
    check: ({ config }) => (flag(config, "is_multi_region_trail") === true ? undefined : "is_multi_region_trail is off"),
    fix: "set is_multi_region_trail = true: an attacker works in the region nobody watches",
  },
  {
    ids: ["ECG_GUARDDUTY_ENABLED"],
    title: "GuardDuty detectors are enabled",
    severity: "error",
    types: ["aws_guardduty_detector"],
    check: ({ config }) => (flag(config, "enable") === false ? "enable is false" : undefined),
    fix: "leave enable = true (its default)",
  },
  {
    ids: ["ECG_CONFIG_RECORDS_ALL"],
    title: "AWS Config recorders record every supported resource type",
    severity: "error",
    types: ["aws_config_configuration_recorder"],
    check: ({ config }) =>
      nested(config, "recording_group").some((group) => flag(group, "all_supported") === true)
        ? undefined
        : "recording_group.all_supported is not true",
    fix: "set recording_group { all_supported = true } (and include_global_resource_types in one region of the account)",
  },
];
