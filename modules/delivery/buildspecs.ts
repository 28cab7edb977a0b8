/**
 * Buildspecs of the delivery pipeline's CodeBuild projects. CodeBuild reads a
 * buildspec as YAML, and JSON is YAML: they are rendered with JSON.stringify,
 * so no quoting can go wrong. Buildspec 0.2 runs a phase's commands in one
 * shell, so a failing command fails the build.
 */

/** ECR scan severities (findingSeverityCounts keys). */
export type ScanSeverity = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "INFORMATIONAL" | "UNDEFINED";
export const SCAN_SEVERITIES: readonly ScanSeverity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];

/** The files the render step writes, which CodeDeployToECS reads. */
export const DEPLOY_FILES = { taskDefinition: "taskdef.json", appSpec: "appspec.yaml", imageDetail: "imageDetail.json" } as const;

/** The placeholder (Image1ContainerName) CodeDeployToECS replaces with imageDetail.json's ImageURI. */
export const IMAGE_PLACEHOLDER = "IMAGE1_NAME";

export interface BuildImage {
  readonly name: string;
  readonly repositoryUrl: string;
  readonly context: string;
  readonly dockerfile: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// The tag every image gets: the commit id the pipeline passes (IMAGE_TAG), or the
// source version CodeBuild resolved when the project is started by hand.
// No "${" anywhere: Terraform would read it as an interpolation inside the buildspec string.
// CodeBuild judges a command line by its last command's status: one chain.
const TAG = 'if [ -z "$IMAGE_TAG" ]; then IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"; fi && test -n "$IMAGE_TAG" && export IMAGE_TAG';

// The session's keys replace the project role's for the rest of the phase (one shell).
const assumeReleaseRole = (step: string) =>
  [
    `creds="$(aws sts assume-role --role-arn "$RELEASE_ROLE_ARN" --role-session-name "${step}-$CODEBUILD_BUILD_NUMBER" --query Credentials --output json)"`,
    'export AWS_ACCESS_KEY_ID="$(echo "$creds" | jq -r .AccessKeyId)" AWS_SECRET_ACCESS_KEY="$(echo "$creds" | jq -r .SecretAccessKey)" AWS_SESSION_TOKEN="$(echo "$creds" | jq -r .SessionToken)"',
  ].join(" && ");

/** The pipeline variable (build output) holding the digest the build pushed of an image. */
export const digestVariable = (image: string) => `DIGEST_${image.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
/** The build's output naming this run's images: the commit id and the build number (tags are immutable; a rerun builds anew). */
export const RELEASE_TAG = "RELEASE_TAG";

/** Fails unless the variable holds an image digest (the CLI's text output says "None" for none). */
const isDigest = (variable: string, image: string) =>
  `[[ "$${variable}" == sha256:* ]] || { echo "${image}: no image digest in ${variable}: $${variable}"; exit 1; }`;
const registryOf = (url: string) => `"$(echo ${q(url)} | cut -d. -f1)"`;
const repositoryOf = (url: string) => `"$(echo ${q(url)} | cut -d/ -f2-)"`;
const hostOf = (url: string) => `"$(echo ${q(url)} | cut -d/ -f1)"`;
/** `--region` of a call to another region than the build's, or of the build's own. */
const regionFlag = (region?: string) => `--region ${region ? q(region) : '"$AWS_REGION"'}`;
/** A registry's login token is issued by ECR in the registry's region. */
const ecrPassword = (region?: string) => `aws ecr get-login-password ${regionFlag(region)}`;
const dockerLogin = (url: string) => `${ecrPassword()} | docker login --username AWS --password-stdin ${hostOf(url)}`;
const craneLogin = (region?: string) => (url: string) =>
  `${ecrPassword(region)} | crane auth login ${hostOf(url)} --username AWS --password-stdin`;
/** One repository URL per registry (a Terraform reference stands for its own), for one login each. */
const perRegistry = (urls: readonly string[]) => [...new Map(urls.map((url) => [url.split("/")[0], url])).values()];

/**
 * Build project (CI-2): build each image once, unit and integration tests, push
 * to the build repositories with the release tag, the scan gate, then export
 * the release tag and each image's digest for the stages.
 */
export function buildSpec(props: {
  readonly images: readonly BuildImage[];
  readonly unitTestCommand: string;
  readonly integrationTestCommand: string;
  readonly failOnSeverities: readonly ScanSeverity[];
}): string {
  const images = props.images;
  const severities = JSON.stringify(props.failOnSeverities);
  const releaseTag = `${RELEASE_TAG}="$IMAGE_TAG-$CODEBUILD_BUILD_NUMBER"; export ${RELEASE_TAG}`;
  const build = images.map((i) => `docker build --tag ${q(i.repositoryUrl)}:"$${RELEASE_TAG}" --file ${q(i.dockerfile)} ${q(i.context)}`);
  const push = images.map((i) => `docker push ${q(i.repositoryUrl)}:"$${RELEASE_TAG}"`);
  // Pushed images are scanned on push (CMP-7); the gate waits for each scan and
  // fails the build when any finding has one of the refused severities.
  const gate = images.flatMap((i) => {
    const image = `--registry-id ${registryOf(i.repositoryUrl)} --repository-name ${repositoryOf(i.repositoryUrl)} --image-id imageTag="$${RELEASE_TAG}"`;
    const findings = `scan-${i.name}.json`;
    return [
      `aws ecr wait image-scan-complete ${image}`,
      `aws ecr describe-image-scan-findings ${image} --query imageScanFindings.findingSeverityCounts --output json > ${findings}`,
      `jq -e --argjson refused ${q(severities)} '(. // {}) as $c | ($refused | map($c[.] // 0) | add) == 0' ${findings} > /dev/null || { echo "image scan gate: ${i.name} has findings of a refused severity (${props.failOnSeverities.join(", ")}):"; cat ${findings}; exit 1; }`,
    ];
  });
  // What passed the gate, by digest: the only thing the stages promote and deploy.
  const digests = images.map(
    (i) =>
      `${digestVariable(i.name)}="$(aws ecr describe-images --registry-id ${registryOf(i.repositoryUrl)} --repository-name ${repositoryOf(i.repositoryUrl)} --image-ids imageTag="$${RELEASE_TAG}" --query 'imageDetails[0].imageDigest' --output text)"; ${isDigest(digestVariable(i.name), i.name)}; export ${digestVariable(i.name)}`,
  );
  return JSON.stringify(
    {
      version: "0.2",
      env: { shell: "bash", "exported-variables": [RELEASE_TAG, ...images.map((i) => digestVariable(i.name))] },
      phases: {
        pre_build: { commands: [TAG, releaseTag, ...perRegistry(images.map((i) => i.repositoryUrl)).map(dockerLogin)] },
        build: { commands: [...build, props.unitTestCommand, props.integrationTestCommand, ...push, ...gate, ...digests] },
      },
    },
    undefined,
    2,
  );
}

/** An image a stage promotes: from the build's repository to the environment's, by the digest the build exported. */
export interface PromotedImage {
  readonly name: string;
  readonly sourceUrl: string;
  readonly targetUrl: string;
}

/** crane copies an image registry to registry byte for byte, so its digest survives (docker pull/push may recompress layers). */
export const CRANE = "github.com/google/go-containerregistry/cmd/crane@v0.20.2";
// Go (in CodeBuild's standard image) verifies the module against its checksum database.
const INSTALL_CRANE = `go install ${CRANE} && export PATH="$(go env GOPATH)/bin:$PATH"`;

/**
 * Promotion project of one stage: copies each image the build pushed and
 * gated, by its digest (never by a tag), into the environment's repository
 * under the release tag (unless that digest is there already), and checks it
 * arrived as that digest. Reads RELEASE_TAG and DIGEST_<IMAGE> (the build's
 * outputs). With `targetRegion`, the environment's registry is in that region
 * (its login and its checks go there); the build's stays the project's own.
 */
export function promoteSpec(props: { readonly images: readonly PromotedImage[]; readonly targetRegion?: string }): string {
  const { targetRegion } = props;
  const copy = props.images.flatMap((i) => {
    const digest = `"$${digestVariable(i.name)}"`;
    const target = `${targetRegion ? `${regionFlag(targetRegion)} ` : ""}--registry-id ${registryOf(i.targetUrl)} --repository-name ${repositoryOf(i.targetUrl)} --image-ids imageDigest=${digest}`;
    return [
      isDigest(digestVariable(i.name), i.name),
      `if aws ecr describe-images ${target} > /dev/null 2>&1; then echo "${i.name}: already promoted"; else crane copy ${q(i.sourceUrl)}@${digest} ${q(i.targetUrl)}:"$${RELEASE_TAG}"; fi`,
      `aws ecr describe-images ${target} > /dev/null || { echo "promotion: ${i.name} did not arrive as the gated digest"; exit 1; }`,
    ];
  });
  const logins = targetRegion
    ? [
        ...perRegistry(props.images.map((i) => i.sourceUrl)).map(craneLogin()),
        ...perRegistry(props.images.map((i) => i.targetUrl)).map(craneLogin(targetRegion)),
      ]
    : perRegistry(props.images.flatMap((i) => [i.sourceUrl, i.targetUrl])).map(craneLogin());
  return JSON.stringify(
    {
      version: "0.2",
      env: { shell: "bash" },
      phases: { pre_build: { commands: [INSTALL_CRANE, ...logins] }, build: { commands: copy } },
    },
    undefined,
    2,
  );
}

/**
 * Record project of one stage, its last action (after the deployment and the
 * validations): writes each promoted digest to the environment's release
 * parameters (ReleaseDigests), in each region, through the release role when
 * the environment is in another account. The first region is the
 * environment's own, where the parameters must exist; in the others (a
 * standby's) a missing one is reported and skipped. Reads DIGEST_<IMAGE>.
 */
export function recordSpec(props: {
  readonly images: readonly string[];
  readonly releaseDigests: { readonly path: string; readonly regions: readonly string[] };
  readonly assumeReleaseRole?: boolean;
}): string {
  const { path, regions } = props.releaseDigests;
  const record = regions.flatMap((region, index) =>
    props.images.map((image) => {
      const name = q(`${path}/${image}`);
      const missing =
        index === 0
          ? `echo "${region}: ${path}/${image}: $out"; exit 1`
          : `echo "${region}: no parameter ${path}/${image}: deploy its stack, then release again"`;
      return `if out="$(aws ssm get-parameter --region ${region} --name ${name} 2>&1 > /dev/null)"; then aws ssm put-parameter --region ${region} --name ${name} --type String --overwrite --value "$${digestVariable(image)}" > /dev/null; elif [[ "$out" == *ParameterNotFound* ]]; then ${missing}; else echo "$out"; exit 1; fi`;
    }),
  );
  return JSON.stringify(
    {
      version: "0.2",
      env: { shell: "bash" },
      phases: {
        build: {
          commands: [
            ...props.images.map((image) => isDigest(digestVariable(image), image)),
            ...(props.assumeReleaseRole ? [assumeReleaseRole("record")] : []),
            ...record,
          ],
        },
      },
    },
    undefined,
    2,
  );
}

/**
 * Render project of one deploy stage: taskdef.json from the family's current
 * task definition with the image replaced by the CodeDeployToECS placeholder,
 * appspec.yaml from the APPSPEC variable (appSpec()), and imageDetail.json
 * naming the promoted image by its digest. Reads TASK_FAMILY, CONTAINER_NAME,
 * IMAGE_REPOSITORY_URL, APPSPEC and IMAGE_DIGEST; with `assumeReleaseRole`, also
 * RELEASE_ROLE_ARN, the role of the environment's account it reads the task
 * definition as (the family is in that account). With `region`, the family is
 * in that region, not the project's.
 */
export function renderSpec(props: { readonly assumeReleaseRole?: boolean; readonly region?: string } = {}): string {
  // Fields DescribeTaskDefinition returns that RegisterTaskDefinition refuses.
  const readOnly = [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
  ];
  const strip = readOnly.map((f) => `.${f}`).join(", ");
  return JSON.stringify(
    {
      version: "0.2",
      env: { shell: "bash" },
      phases: {
        build: {
          commands: [
            ...(props.assumeReleaseRole ? [assumeReleaseRole("render")] : []),
            `aws ecs describe-task-definition ${props.region ? `${regionFlag(props.region)} ` : ""}--task-definition "$TASK_FAMILY" --query taskDefinition --output json > current-taskdef.json`,
            `jq -e --arg c "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $c)' current-taskdef.json > /dev/null || { echo "no container $CONTAINER_NAME in task definition $TASK_FAMILY"; exit 1; }`,
            `jq --arg c "$CONTAINER_NAME" 'del(${strip}) | .containerDefinitions |= map(if .name == $c then .image = "<${IMAGE_PLACEHOLDER}>" else . end)' current-taskdef.json > ${DEPLOY_FILES.taskDefinition}`,
            `printf '%s' "$APPSPEC" > ${DEPLOY_FILES.appSpec}`,
            // By digest: what the build gated and this stage promoted, whatever any tag says.
            isDigest("IMAGE_DIGEST", "the deployed image"),
            `jq -n --arg uri "$IMAGE_REPOSITORY_URL@$IMAGE_DIGEST" '{ImageURI: $uri}' > ${DEPLOY_FILES.imageDetail}`,
          ],
        },
      },
      artifacts: { files: [DEPLOY_FILES.taskDefinition, DEPLOY_FILES.appSpec, DEPLOY_FILES.imageDetail] },
    },
    undefined,
    2,
  );
}

/** A validation project: the given commands, from the source checkout. */
export function validationSpec(commands: readonly string[]): string {
  return JSON.stringify({ version: "0.2", env: { shell: "bash" }, phases: { build: { commands: [...commands] } } }, undefined, 2);
}
