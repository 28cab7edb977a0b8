import { ALL_TYPES, type Rule } from "../engine";
import { blocks, isObject } from "./helpers";

/**
 * Providers the program may use: a pull request's plan job runs the
 * synthesized Terraform with each environment's plan role, so any other
 * provider (or a provisioner, or `data "external"`) is code that would run
 * there with those credentials. `terraform` is Terraform's built-in provider
 * (terraform_data, terraform_remote_state).
 */
export const ALLOWED_PROVIDERS = ["aws", "terraform"] as const;

/** A resource type's provider: the part before the first underscore (`aws_s3_bucket` → aws). */
const providerOf = (type: string) => type.replace(/^data\./, "").split("_")[0];

/** Provisioners that run commands or copy files where Terraform runs or on a host it reaches. */
const PROVISIONERS = ["local-exec", "remote-exec", "file"];

export const supplyChainRules: Rule[] = [
  {
    ids: ["ECG_PROVIDER_ALLOWED"],
    title: `Resources and data sources come from the allowed providers only (${ALLOWED_PROVIDERS.join(", ")})`,
    severity: "error",
    types: [ALL_TYPES],
    check: ({ type, config }) => {
      const provider = providerOf(type);
      const configured = typeof config.provider === "string" ? config.provider.split(".")[0] : provider;
      const outside = [...new Set([provider, configured])].filter((p) => !(ALLOWED_PROVIDERS as readonly string[]).includes(p));
      return outside.length ? `provider ${outside.join(", ")} is not on the allow-list` : undefined;
    },
    fix: "build it with the AWS provider; a new provider is a reviewed change of ALLOWED_PROVIDERS (modules/policy/rules/supply-chain.ts) and of the committed lock file",
  },
  {
    ids: ["ECG_NO_EXTERNAL_DATA"],
    title: 'No data "external": it runs a program wherever Terraform plans',
    severity: "error",
    types: ["data.external"],
    check: () => "a data source that runs a program at plan time",
    fix: "read the value with an AWS data source, or pass it in as configuration",
  },
  {
    ids: ["ECG_NO_PROVISIONERS"],
    title: "No provisioners that run commands or copy files (local-exec, remote-exec, file)",
    severity: "error",
    types: [ALL_TYPES],
    check: ({ config }) => {
      const used = blocks(config.provisioner)
        .filter(isObject)
        .flatMap((provisioner) => Object.keys(provisioner))
        .filter((kind) => PROVISIONERS.includes(kind));
      return used.length ? `provisioner ${[...new Set(used)].join(", ")}` : undefined;
    },
    fix: "configure the resource through its arguments (user data, SSM documents); Terraform's own docs call provisioners a last resort",
  },
];
