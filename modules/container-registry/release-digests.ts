import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn, Op, TerraformLocal, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";

/** The value of a release parameter before any release: its image is named by `fallbackTag`. */
export const NO_RELEASE = "none";

export interface ReleaseDigestsProps {
  /** The parameters' path, e.g. `/ecg-prod/release`: one parameter `<path>/<image>` per image. */
  readonly path: string;
  /** Image names (the repositories' last segment). */
  readonly images: readonly string[];
  /** @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Where a release writes the digest it promoted, per image: an SSM parameter
 * Terraform creates (`none` until the first release) and never overwrites (the
 * promotion step owns its value; a refresh reads it). Task definitions that
 * Terraform owns name their image by that digest, so they run exactly what the
 * release promoted after the scan gate, in this region too when the primary's
 * is down (the promotion writes the standby's region as well).
 */
export class ReleaseDigests extends Construct {
  /** Parameters by image name. */
  readonly parameters: Readonly<Record<string, SsmParameter>>;

  constructor(scope: Construct, id: string, props: ReleaseDigestsProps) {
    super(scope, id);
    refuseProps("ReleaseDigests", id, [
      ...(/^(\/[\w.-]+)+$/.test(props.path) ? [] : [`path: "${props.path}" is not an SSM parameter path (/segment/...)`]),
      ...(props.images.length === 0 ? ["images: name at least one image"] : []),
    ]);
    const parameters: Record<string, SsmParameter> = {};
    for (const image of props.images) {
      parameters[image] = new SsmParameter(this, image, {
        name: `${props.path}/${image}`,
        description: `The digest of ${image} the last release promoted (${NO_RELEASE}: no release yet)`,
        type: "String",
        // Not sensitive: a digest names a public fact of the registry.
        insecureValue: NO_RELEASE,
        provider: props.provider,
        lifecycle: { ignoreChanges: ["insecure_value"] },
      });
    }
    this.parameters = parameters;
    ComponentTags.apply(this, "delivery");
  }

  private readonly references = new Map<string, TerraformLocal>();

  /**
   * `<repositoryUrl>@<digest>` once a release promoted one, before that
   * `<repositoryUrl>:<fallbackTag>`: a local value, so a container definition
   * that names it stays literal JSON (the policy pack reads it).
   */
  imageReference(image: string, repositoryUrl: string, fallbackTag: string): string {
    const parameter = this.parameters[image];
    if (!parameter) throw new Error(`ReleaseDigests "${this.node.id}": no parameter for image "${image}"`);
    const key = `${image}:${fallbackTag}`;
    let reference = this.references.get(key);
    if (!reference) {
      const digest = parameter.insecureValue;
      reference = new TerraformLocal(
        this,
        `${image}-${fallbackTag}-image`,
        Fn.conditional(Op.eq(digest, NO_RELEASE), `${repositoryUrl}:${fallbackTag}`, `${repositoryUrl}@${digest}`),
      );
      this.references.set(key, reference);
    }
    return reference.asString;
  }
}
