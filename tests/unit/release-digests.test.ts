import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { NO_RELEASE, ReleaseDigests } from "../../modules/container-registry/release-digests";
import { errorOf, resourcesOf, synthJson } from "../helpers";

const REPO = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-dev/ecg-ml-audio";

function synth() {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
  const digests = new ReleaseDigests(stack, "release", { path: "/ecg-dev/release", images: ["ecg-ml-audio", "ecg-gpu-render"] });
  digests.imageReference("ecg-ml-audio", REPO, "latest");
  digests.imageReference("ecg-ml-audio", REPO, "latest");
  return { json: synthJson(Testing.synth(stack)), digests };
}

describe("[ACC-4] ReleaseDigests", () => {
  const { json, digests } = synth();

  it("a parameter per image, 'none' until a release writes it, and Terraform never takes the release's value back", () => {
    const parameters = resourcesOf(json, "aws_ssm_parameter").map(([, p]) => [p.name, p.type, p.insecure_value, p.lifecycle]);
    expect(parameters.sort()).toEqual([
      ["/ecg-dev/release/ecg-gpu-render", "String", NO_RELEASE, { ignore_changes: ["insecure_value"] }],
      ["/ecg-dev/release/ecg-ml-audio", "String", NO_RELEASE, { ignore_changes: ["insecure_value"] }],
    ]);
  });

  it("names the image by the promoted digest, by the fallback tag before any release, as one local per image", () => {
    // Two uses of one image (the render server and its workers): one local.
    const locals = Object.values<string>((json as any).locals);
    expect(locals).toHaveLength(1);
    const [id] = resourcesOf(json, "aws_ssm_parameter").find(([, p]) => p.name.endsWith("ecg-ml-audio"))!;
    const digest = `aws_ssm_parameter.${id}.insecure_value`;
    expect(locals[0]).toBe(`\${(${digest} == "none") ? "${REPO}:latest" : "${REPO}@\${${digest}}"}`);
  });

  it("refuses a path that is not an SSM path, no images, and an image it has no parameter for", () => {
    const refusal = (path: string, images: string[]) =>
      errorOf(() => Testing.synthScope((scope) => new ReleaseDigests(scope, "r", { path, images })));
    expect(refusal("ecg-dev/release", ["a"])).toMatch(/path: "ecg-dev\/release" is not an SSM parameter path/);
    expect(refusal("/ecg-dev/release", [])).toMatch(/images: name at least one image/);
    expect(() => digests.imageReference("ecg-other", REPO, "latest")).toThrow('no parameter for image "ecg-other"');
  });
});
