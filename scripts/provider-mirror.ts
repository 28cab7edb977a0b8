import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Environment variable that names a provider mirror explicitly. */
export const MIRROR_VARIABLE = "ECG_TF_PROVIDER_MIRROR";

/**
 * Places a filesystem mirror is commonly found when none is named: the
 * machine-wide and per-user plugin directories Terraform itself knows.
 */
export const KNOWN_MIRROR_PLACES = [
  "/opt/tf-plugins",
  join(homedir(), ".terraform.d", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
];

/** A mirror holds `registry.terraform.io/hashicorp/aws` in its unpacked or packed layout. */
export function isProviderMirror(dir: string): boolean {
  return existsSync(join(dir, "registry.terraform.io", "hashicorp", "aws"));
}

/**
 * The mirror to install providers from: `$ECG_TF_PROVIDER_MIRROR` (which must
 * then be a mirror), else the first known place that is one, else undefined
 * (install from the registry as usual).
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, places = KNOWN_MIRROR_PLACES): string | undefined {
  const named = env[MIRROR_VARIABLE];
  if (named) {
    if (!isProviderMirror(named)) {
      throw new Error(`${MIRROR_VARIABLE}=${named} holds no registry.terraform.io/hashicorp/aws: not a provider mirror`);
    }
    return named;
  }
  return places.find(isProviderMirror);
}

/** CLI configuration that installs hashicorp/* from the mirror and nothing from the network. */
export function mirrorCliConfig(mirror: string): string {
  return [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "  direct {",
    '    exclude = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Environment for the lane's own Terraform runs: with a mirror, a CLI config
 * written into `dir` and passed as TF_CLI_CONFIG_FILE; without one, the
 * caller's environment is kept (registry installs).
 */
export function providerInstallEnv(dir: string, mirror: string | undefined): Record<string, string> {
  if (!mirror) return {};
  const file = join(dir, "terraform-mirror.tfrc");
  writeFileSync(file, mirrorCliConfig(mirror));
  return { TF_CLI_CONFIG_FILE: file };
}
