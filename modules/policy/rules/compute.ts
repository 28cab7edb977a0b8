import type { Rule } from "../engine";
import type { StackModel } from "../model";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

/**
 * Spot is in use when capacity above the On-Demand base is not all On-Demand,
 * or when the group's own launch template asks for Spot.
 */
const usesSpot = (asg: Json, model: StackModel) =>
  blocks(asg.mixed_instances_policy).some((p) =>
    blocks(p.instances_distribution).some((d) => Number(d.on_demand_percentage_above_base_capacity ?? 100) < 100),
  ) ||
  blocks(asg.launch_template).some((t) =>
    blocks(model.referenced(t.id ?? t.name)?.config.instance_market_options).some((o) => o.market_type === "spot"),
  );

/** Instance choices: one per type override; attribute-based selection (instance_requirements) matches many. */
const instanceChoices = (asg: Json) =>
  blocks(asg.mixed_instances_policy)
    .flatMap((p) => blocks(p.launch_template).flatMap((t) => blocks(t.override)))
    .reduce((n, o) => n + (blocks(o.instance_requirements).length ? 2 : 1), 0);

export const computeRules: Rule[] = [
  {
    ids: ["CKV_AWS_79"],
    title: "Launch templates require IMDSv2",
    severity: "error",
    types: ["aws_launch_template"],
    check: ({ config }) =>
      blocks(config.metadata_options).some((m) => m.http_tokens === "required") ? undefined : "http_tokens is not required",
    fix: 'set metadata_options { http_tokens = "required" }',
  },
  {
    ids: ["CKV_AWS_88"],
    title: "Launch templates give instances no public IP",
    severity: "error",
    types: ["aws_launch_template"],
    check: ({ config }) =>
      blocks(config.network_interfaces).some((n) => isTrue(n.associate_public_ip_address))
        ? "associate_public_ip_address = true"
        : undefined,
    fix: "launch into private subnets without public addresses",
  },
  {
    ids: ["CKV_AWS_8"],
    title: "Launch template volumes are encrypted",
    severity: "error",
    types: ["aws_launch_template"],
    check: ({ config }) => {
      const ebs = blocks(config.block_device_mappings).flatMap((m) => blocks(m.ebs));
      if (ebs.length === 0) return "no block_device_mappings: the root volume takes the AMI's (unencrypted) default";
      return ebs.every((e) => isTrue(e.encrypted)) ? undefined : "an EBS volume without encrypted = true";
    },
    fix: "map the root volume with ebs { encrypted = true }",
  },
  {
    ids: ["CKV_AWS_315"],
    title: "Auto Scaling groups use launch templates, not launch configurations",
    severity: "error",
    types: ["aws_autoscaling_group", "aws_launch_configuration"],
    check: ({ type, config }) =>
      type === "aws_launch_configuration" || config.launch_configuration ? "a launch configuration is used" : undefined,
    fix: "use aws_launch_template (directly or in a mixed_instances_policy)",
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
      usesSpot(config, model) && !isTrue(config.capacity_rebalance) ? "capacity_rebalance is off for a Spot group" : undefined,
    fix: "set capacity_rebalance = true",
  },
];
