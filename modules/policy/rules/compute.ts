import type { Rule } from "../engine";
import type { StackModel } from "../model";
import { flag, nested, num, text } from "./helpers";
import type { Json } from "../../common/json";

/**
 * Spot is in use when capacity above the On-Demand base is not all On-Demand,
 * or when the group's own launch template asks for Spot.
 */
const usesSpot = (asg: Json, model: StackModel) =>
  nested(asg, "mixed_instances_policy").some((p) =>
    nested(p, "instances_distribution").some((d) => (num(d, "on_demand_percentage_above_base_capacity") ?? 100) < 100),
  ) ||
  nested(asg, "launch_template").some((t) =>
    nested(model.referenced(t.id ?? t.name)?.config, "instance_market_options").some((o) => text(o, "market_type") === "spot"),
  );

/** Instance choices: one per type override; attribute-based selection (instance_requirements) matches many. */
const instanceChoices = (asg: Json) =>
  nested(asg, "mixed_instances_policy")
    .flatMap((p) => nested(p, "launch_template").flatMap((t) => nested(t, "override")))
    .reduce((n, o) => n + (nested(o, "instance_requirements").length ? 2 : 1), 0);

/** CKV_AWS_79: IMDSv2 required, or the metadata endpoint off. */
function imdsProblem(config: Json): string | undefined {
  const options = nested(config, "metadata_options");
  if (options.length === 0) return "no metadata_options: IMDSv1 stays available";
  return options.some((m) => text(m, "http_endpoint") === "disabled" || text(m, "http_tokens") === "required")
    ? undefined
    : "http_tokens is not required";
}

/** CKV_AWS_8 on an instance or launch configuration: the root and every EBS volume encrypted (or from a snapshot, which carries its own). */
function volumesProblem(config: Json): string | undefined {
  const root = nested(config, "root_block_device");
  if (root.length === 0) return "no root_block_device: the root volume takes the AMI's (unencrypted) default";
  const unencrypted = [...root, ...nested(config, "ebs_block_device")].filter(
    (v) => flag(v, "encrypted") !== true && !text(v, "snapshot_id"),
  );
  return unencrypted.length ? `${unencrypted.length} volume(s) without encrypted = true` : undefined;
}

export const computeRules: Rule[] = [
  {
    ids: ["CKV_AWS_79"],
    title: "Instances require IMDSv2 (or turn the metadata endpoint off)",
    severity: "error",
    types: ["aws_instance", "aws_launch_template", "aws_launch_configuration"],
    check: ({ config }) => imdsProblem(config),
    fix: 'set metadata_options { http_tokens = "required" }',
  },
  {
    ids: ["CKV_AWS_88"],
    title: "Instances get no public IP",
    severity: "error",
    types: ["aws_instance", "aws_launch_template"],
    check: ({ type, config }) => {
      const holders = type === "aws_instance" ? [config] : nested(config, "network_interfaces");
      return holders.some((n) => flag(n, "associate_public_ip_address") === true) ? "associate_public_ip_address = true" : undefined;
    },
    fix: "launch into private subnets without public addresses",
    note: "Every network interface of a launch template counts (checkov reads the first).",
  },
  {
    ids: ["CKV_AWS_8"],
    title: "Instance and launch configuration volumes are encrypted",
    severity: "error",
    types: ["aws_instance", "aws_launch_configuration"],
    check: ({ config }) => volumesProblem(config),
    fix: "set root_block_device { encrypted = true } and encrypted = true on every ebs_block_device",
    note: "A volume with encrypted unset is unencrypted unless the account's default encryption is on, which the configuration does not show (checkov leaves it unknown).",
  },
  {
    ids: ["ECG_LT_EBS_ENCRYPTED"],
    title: "Launch template volumes are encrypted",
    severity: "error",
    types: ["aws_launch_template"],
    check: ({ config }) => {
      const ebs = nested(config, "block_device_mappings").flatMap((m) => nested(m, "ebs"));
      if (ebs.length === 0) return "no block_device_mappings: the root volume takes the AMI's (unencrypted) default";
      return ebs.every((e) => flag(e, "encrypted") === true) ? undefined : "an EBS volume without encrypted = true";
    },
    fix: "map the root volume with ebs { encrypted = true }",
  },
  {
    ids: ["CKV_AWS_315"],
    title: "Auto Scaling groups use launch templates",
    severity: "error",
    types: ["aws_autoscaling_group"],
    check: ({ config }) =>
      nested(config, "launch_template").length ||
      nested(config, "mixed_instances_policy").some((p) => nested(p, "launch_template").length > 0)
        ? undefined
        : config.launch_configuration
          ? "a launch configuration is used"
          : "no launch template",
    fix: "use aws_launch_template (directly or in a mixed_instances_policy)",
  },
  {
    ids: ["ECG_NO_LAUNCH_CONFIGURATION"],
    title: "No launch configurations (AWS no longer adds instance types or features to them)",
    severity: "error",
    types: ["aws_launch_configuration"],
    check: () => "a launch configuration",
    fix: "use aws_launch_template",
  },
  {
    ids: ["ECG_ASG_MULTI_AZ"],
    title: "Auto Scaling groups span at least two AZs",
    severity: "error",
    types: ["aws_autoscaling_group"],
    check: ({ config }) => {
      const zones = config.vpc_zone_identifier ?? config.availability_zones ?? [];
      if (!Array.isArray(zones)) return "the subnet list is one expression, so it cannot be counted; list the subnets";
      return zones.length >= 2 ? undefined : "fewer than two subnets/AZs";
    },
    fix: "give vpc_zone_identifier a subnet in each of two AZs",
  },
  {
    ids: ["ECG_SPOT_DIVERSIFIED"],
    title: "Spot capacity is diversified over at least two instance types",
    severity: "error",
    types: ["aws_autoscaling_group"],
    check: ({ config }, model) =>
      usesSpot(config, model) && instanceChoices(config) < 2 ? "Spot with fewer than two instance-type overrides" : undefined,
    fix: "list at least two (ideally three) instance types of the same class in the launch_template overrides",
  },
  {
    ids: ["ECG_SPOT_REBALANCE"],
    title: "Spot groups rebalance capacity ahead of interruptions",
    severity: "error",
    types: ["aws_autoscaling_group"],
    check: ({ config }, model) =>
      usesSpot(config, model) && flag(config, "capacity_rebalance") !== true ? "capacity_rebalance is off for a Spot group" : undefined,
    fix: "set capacity_rebalance = true",
  },
];
