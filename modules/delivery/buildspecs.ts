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
const TAG = 'if [ -z "$IMAGE_TAG" ]; then IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"; fi; test -n "$IMAGE_TAG"; export IMAGE_TAG';

// The session's keys replace the project role's for the rest of the phase (one shell).
const ASSUME_RELEASE_ROLE = [
  'creds="$(aws sts assume-role --role-arn "$RELEASE_ROLE_ARN" --role-session-name "render-$CODEBUILD_BUILD_NUMBER" --query Credentials --output json)"',
  'export AWS_ACCESS_KEY_ID="$(echo "$creds" | jq -r .AccessKeyId)" AWS_SECRET_ACCESS_KEY="$(echo "$creds" | jq -r .SecretAccessKey)" AWS_SESSION_TOKEN="$(echo "$creds" | jq -r .SessionToken)"',
].join(" && ");

/** Build project (CI-2): build each image, unit and integration tests, push with the commit tag, then the scan gate. */
export function buildSpec(props: {
  readonly images: readonly BuildImage[];
  readonly unitTestCommand: string;
  readonly integrationTestCommand: string;
  readonly failOnSeverities: readonly ScanSeverity[];
}): string {
  const images = props.images;
  const severities = JSON.stringify(props.failOnSeverities);
  const login = images.map(
    (i) =>
      `aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$(echo ${q(i.repositoryUrl)} | cut -d/ -f1)"`,
  );
  const build = images.map((i) => `docker build --tag ${q(i.repositoryUrl)}:"$IMAGE_TAG" --file ${q(i.dockerfile)} ${q(i.context)}`);
  const push = images.map((i) => `docker push ${q(i.repositoryUrl)}:"$IMAGE_TAG"`);
  // Pushed images are scanned on push (CMP-7); the gate waits for each scan and
  // fails the build when any finding has one of the refused severities.
  const gate = images.flatMap((i) => {
    const repo = `"$(echo ${q(i.repositoryUrl)} | cut -d/ -f2-)"`;
    // The registry by its account: the repository may be another account's (cross-account delivery).
    const registry = `"$(echo ${q(i.repositoryUrl)} | cut -d. -f1)"`;
    const image = `--registry-id ${registry} --repository-name ${repo} --image-id imageTag="$IMAGE_TAG"`;
    const findings = `scan-${i.name}.json`;
    return [
      `aws ecr wait image-scan-complete ${image}`,
      `aws ecr describe-image-scan-findings ${image} --query imageScanFindings.findingSeverityCounts --output json > ${findings}`,
      `jq -e --argjson refused ${q(severities)} '(. // {}) as $c | ($refused | map($c[.] // 0) | add) == 0' ${findings} > /dev/null || { echo "image scan gate: ${i.name} has findings of a refused severity (${props.failOnSeverities.join(", ")}):"; cat ${findings}; exit 1; }`,
    ];
  });
  return JSON.stringify(
    {
      version: "0.2",
      env: { shell: "bash" },
      phases: {
        pre_build: { commands: [TAG, ...login] },
        build: { commands: [...build, props.unitTestCommand, props.integrationTestCommand, ...push, ...gate] },
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
 * naming the image just built. Reads TASK_FAMILY, CONTAINER_NAME,
 * IMAGE_REPOSITORY_URL, APPSPEC and IMAGE_TAG; with `assumeReleaseRole`, also
 * RELEASE_ROLE_ARN, the role of the environment's account it reads the task
 * definition as (the family is in that account).
 */
export function renderSpec(props: { readonly assumeReleaseRole?: boolean } = {}): string {
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
            TAG,
            ...(props.assumeReleaseRole ? [ASSUME_RELEASE_ROLE] : []),
            'aws ecs describe-task-definition --task-definition "$TASK_FAMILY" --query taskDefinition --output json > current-taskdef.json',
            `jq -e --arg c "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $c)' current-taskdef.json > /dev/null || { echo "no container $CONTAINER_NAME in task definition $TASK_FAMILY"; exit 1; }`,
            `jq --arg c "$CONTAINER_NAME" 'del(${strip}) | .containerDefinitions |= map(if .name == $c then .image = "<${IMAGE_PLACEHOLDER}>" else . end)' current-taskdef.json > ${DEPLOY_FILES.taskDefinition}`,
            `printf '%s' "$APPSPEC" > ${DEPLOY_FILES.appSpec}`,
            `jq -n --arg uri "$IMAGE_REPOSITORY_URL:$IMAGE_TAG" '{ImageURI: $uri}' > ${DEPLOY_FILES.imageDetail}`,
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
