import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline, type CodepipelineStage, type CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { bucketNameProblem, isRegionName, logRetentionProblem, withStandIns } from "../common/limits";
import { refuseProps } from "../common/props";
import { serviceTrustPolicy } from "../common/trust";
import { EncryptionKey } from "../kms";
import { ContainerRegistry } from "../container-registry";
import { PULL_ACTIONS, PUSH_AND_SCAN_ACTIONS } from "../container-registry/repository-access";
import { namedRoles, roleArn, roleArnShape } from "../common/iam-arn";
import { SecureBucket } from "../secure-bucket";
import { deploymentStatements } from "./deploy-permissions";
import { appSpec, type AppSpecProps, type EcsLifecycleEvent } from "./appspec";
import {
  buildSpec,
  DEPLOY_FILES,
  digestVariable,
  IMAGE_PLACEHOLDER,
  promoteSpec,
  RELEASE_TAG,
  recordSpec,
  renderSpec,
  SCAN_SEVERITIES,
  type ScanSeverity,
  validationSpec,
} from "./buildspecs";

/** The pipeline variable namespace of the source action; `#{SourceVariables.CommitId}` tags the images. */
const SOURCE_NAMESPACE = "SourceVariables";

/** The pipeline variable namespace of the build action: its exported variables (RELEASE_TAG, DIGEST_<IMAGE>). */
const BUILD_NAMESPACE = "BuildVariables";

/** CodeBuild's image for every project (Docker, AWS CLI v2 and jq included). */
const CODEBUILD_IMAGE = "aws/codebuild/standard:7.0";

interface DeliveryImage {
  /** The image's repository name, e.g. `ecg-backend-api`: the build repository is `<pipeline name>/<name>`. */
  readonly name: string;
  /** Docker build context in the source repository. @default "." */
  readonly context?: string;
  /** @default "<context>/Dockerfile" */
  readonly dockerfile?: string;
}

/** Where a stage promotes one of the built images: a repository of the environment's registry, in the deployment's region. */
interface StageImage {
  /** One of the built images' name. */
  readonly name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`. */
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
}

export interface DeliveryStage {
  /** Pipeline stage name, e.g. `Dev`, `Staging`, `Prod` (1-12 letters or digits, starting with a letter). */
  readonly name: string;
  /** A person approves before anything in the stage runs. @default false */
  readonly approval?: boolean;
  /** The images the stage promotes (after its approval), by digest, into the environment's repositories. */
  readonly images: readonly StageImage[];
  /**
   * The environment's release parameters (ReleaseDigests' path), written with
   * the promoted digests in each region (the environment's first, then its
   * standby's) once the stage deployed and passed its validations: Terraform's
   * task definitions run them.
   * @default - none written
   */
  readonly releaseDigests?: { readonly path: string; readonly regions: readonly string[] };
  readonly deployment: {
    /** CodeDeploy application and deployment group (BlueGreenDeployment's applicationName / deploymentGroupName). */
    readonly applicationName: string;
    readonly deploymentGroupName: string;
    /** Family whose current revision is the template of the new task definition. */
    readonly taskDefinitionFamily: string;
    /** The load-balanced container; it gets the new image. */
    readonly containerName: string;
    readonly containerPort: number;
    /** The image the load-balanced container runs: one of the stage's images (its promoted digest). */
    readonly image: string;
    /** AppSpec lifecycle hooks (BlueGreenDeployment's `hooks`). @default {} */
    readonly hooks?: Readonly<Partial<Record<EcsLifecycleEvent, string>>>;
    /** The service's capacity provider strategy, repeated in the AppSpec (see AppSpecProps). @default - the cluster's default */
    readonly capacityProviderStrategy?: AppSpecProps["capacityProviderStrategy"];
    /**
     * A role of the environment's account (cross-account delivery): the deploy
     * action acts as it, and the render step reads the task definition through
     * it. The artifact bucket and key admit exactly this role; the role itself
     * (ReleaseRole) grants what deploying takes in its account.
     * @default - the pipeline's own role, in the pipeline's account
     */
    readonly releaseRoleArn?: string;
    /**
     * The region of the deployment group, the family and the stage's
     * repositories, when it is another than the pipeline's: the deploy action
     * runs there (a cross-region action, from that region's artifact store in
     * `regionalArtifactStores`); the stage's CodeBuild steps stay in the
     * pipeline's region and call that one.
     * @default - the pipeline's region
     */
    readonly region?: string;
  };
  /** Checks after the deployment, run in order from the source checkout, e.g. `load-test`. @default [] */
  readonly validations?: readonly { readonly name: string; readonly commands: readonly string[] }[];
}

export interface DeliveryPipelineProps {
  /** Prefix of every name, e.g. `ecg-delivery` (1-25: the connection name is at most 32). */
  readonly name: string;
  readonly account: AwsAccount;
  /** GitHub repository; a push to `branch` starts the pipeline (CI-1). */
  readonly repository: { readonly owner: string; readonly name: string /** @default "main" */; readonly branch?: string };
  /**
   * The images built once, tested, pushed to the pipeline's own build
   * repositories and scanned (CI-2); the stages promote what passed the gate.
   */
  readonly images: readonly DeliveryImage[];
  /** Runs after the images are built, before anything is pushed. @default "make test-unit" */
  readonly unitTestCommand?: string;
  /** @default "make test-integration" */
  readonly integrationTestCommand?: string;
  /** The build fails when a pushed image has a scan finding of one of these. @default ["CRITICAL", "HIGH"] */
  readonly failOnSeverities?: readonly ScanSeverity[];
  /** Deploy stages in order, e.g. Dev, Staging, Prod (CI-3..CI-5). */
  readonly stages: readonly DeliveryStage[];
  /**
   * Task and execution roles of the task definitions the pipeline's own role
   * registers (iam:PassRole to ECS tasks only): those of the stages without a
   * `releaseRoleArn` (whose release roles pass their own).
   */
  readonly passRoleArns: readonly string[];
  /** Name of the artifact bucket (globally unique). */
  readonly artifactBucketName: string;
  /** Receives the artifact bucket's access logs. */
  readonly accessLogBucket: SecureBucket;
  /**
   * One artifact store per other region a stage deploys to (its
   * `deployment.region`): CodePipeline copies a cross-region action's input
   * artifacts to a bucket of the action's region, encrypted with a key of that
   * region, both in the pipeline's account. The pipeline creates the bucket
   * and key with the region's provider.
   * @default [] (every stage deploys in the pipeline's region)
   */
  readonly regionalArtifactStores?: readonly RegionalArtifactStoreProps[];
  /** Days pipeline artifacts are kept. @default 90 */
  readonly artifactRetentionDays?: number;
  /** Days build logs are kept. @default 365 */
  readonly logRetentionDays?: number;
  /** Compute of the Docker build project. @default "BUILD_GENERAL1_MEDIUM" */
  readonly buildComputeType?: string;
  /** Terraform refuses to destroy the artifact bucket and key. @default false */
  readonly preventDestroy?: boolean;
}

/** Where a pipeline keeps the artifacts of its actions in another region. */
interface RegionalArtifactStoreProps {
  readonly region: string;
  /** The stack's provider of that region, in the pipeline's account. */
  readonly provider: TerraformProvider;
  /** Name of the bucket (globally unique). */
  readonly bucketName: string;
  /** Receives the bucket's access logs: a log bucket of the same region (S3 delivers server access logs within a region). */
  readonly accessLogBucket: SecureBucket;
}

/** An artifact store: the bucket and the key that encrypts its objects. */
export interface ArtifactStore {
  readonly key: EncryptionKey;
  readonly bucket: SecureBucket;
}

/**
 * The delivery pipeline (CI-1..CI-5), one per account in the shared delivery
 * stack: GitHub `main` → build, test, push and scan the images → per stage
 * (Dev, Staging, Prod, as data): optional manual approval, render the task
 * definition and AppSpec for the new image, CodeDeploy ECS blue/green, then
 * the stage's validations. Artifacts, build output and logs are encrypted with
 * the pipeline's own KMS key. Every CodeBuild project has its own role.
 *
 * The GitHub connection is created PENDING: someone with admin rights on the
 * GitHub organisation completes the handshake once in the console (Developer
 * Tools → Settings → Connections → Update pending connection). Until then the
 * source action fails; nothing else needs doing afterwards.
 */
export class DeliveryPipeline extends Construct {
  readonly connection: CodestarconnectionsConnection;
  readonly key: EncryptionKey;
  readonly artifactBucket: SecureBucket;
  /** The artifact stores of the other regions the stages deploy to, by region. */
  readonly regionalArtifactStores: Readonly<Record<string, ArtifactStore>>;
  readonly logGroup: CloudwatchLogGroup;
  readonly pipeline: Codepipeline;
  readonly pipelineRole: IamRole;
  /** The build repositories (`<name>/<image>`): only the build project pushes there. */
  readonly buildRegistry: ContainerRegistry;
  /** CodeBuild projects by short name: `build`, `promote-<stage>`, `render-<stage>`, `record-<stage>`, `<stage>-<validation>` (stage in lower case). */
  readonly projects: Readonly<Record<string, CodebuildProject>>;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;
    const { accountId, region, partition } = account;
    const roles = deliveryRoleNames(name);
    // Cross-account stages: the roles in the environments' accounts that read the artifacts of their region's store.
    const releaseRolesOf = (stages: readonly DeliveryStage[]) => [
      ...new Set(stages.flatMap((s) => (s.deployment.releaseRoleArn ? [s.deployment.releaseRoleArn] : []))),
    ];
    const releaseRoles = releaseRolesOf(props.stages);
    /** Those whose deploy action reads the store of `storeRegion` (undefined: the pipeline's own). */
    const releaseRolesIn = (storeRegion: string | undefined) =>
      releaseRolesOf(props.stages.filter((s) => s.deployment.region === storeRegion));
    // Every store: the same alias (one per region), retention and protection.
    const everyStore = {
      alias: `${name}/artifacts`,
      retentionDays: props.artifactRetentionDays ?? 90,
      preventDestroy: props.preventDestroy,
    };

    const home = artifactStore(this, "key", "artifacts", {
      ...everyStore,
      description: `Pipeline artifacts, build output and build logs of ${name}`,
      account,
      allowCloudWatchLogs: true,
      readers: releaseRolesIn(undefined),
      bucketName: props.artifactBucketName,
      accessLogBucket: props.accessLogBucket,
    });
    this.key = home.key;
    this.artifactBucket = home.bucket;
    const keyArn = this.key.keyArn;
    const bucketArn = this.artifactBucket.bucket.arn;
    this.regionalArtifactStores = Object.fromEntries(
      (props.regionalArtifactStores ?? []).map((r) => [
        r.region,
        artifactStore(this, `key-${r.region}`, `artifacts-${r.region}`, {
          ...everyStore,
          description: `Pipeline artifacts of ${name}'s actions in ${r.region}`,
          account: { ...account, region: r.region },
          readers: releaseRolesIn(r.region),
          bucketName: r.bucketName,
          accessLogBucket: r.accessLogBucket,
          provider: r.provider,
        }),
      ]),
    );
    const regional = Object.entries(this.regionalArtifactStores);
    // The pipeline's own store first, then the other regions'.
    const stores = [home, ...regional.map(([, r]) => r)];
    // Created PENDING; completed once by hand in the console (see the class comment).
    this.connection = new CodestarconnectionsConnection(this, "github", { name: `${name}-github`, providerType: "GitHub" });
    this.logGroup = new CloudwatchLogGroup(this, "build-logs", {
      name: `/aws/codebuild/${name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: keyArn,
    });

    const projects: Record<string, CodebuildProject> = {};
    /** A CodeBuild project with its own role: logs to its stream, artifacts, the key, and `extra`. */
    const project = (
      key: string,
      spec: {
        description: string;
        buildspec: string;
        privileged: boolean;
        timeout: number;
        computeType?: string;
        writesArtifacts: boolean;
        extra: DataAwsIamPolicyDocumentStatement[];
        env?: Record<string, string>;
      },
    ): CodebuildProject => {
      const projectName = roles.project(key);
      const trust = serviceTrustPolicy(
        this,
        `${key}-trust`,
        "codebuild.amazonaws.com",
        account,
        `arn:${partition}:codebuild:${region}:${accountId}:project/${projectName}`,
      );
      const role = new IamRole(this, `${key}-role`, {
        name: projectName,
        description: `CodeBuild ${projectName}`,
        assumeRolePolicy: trust.json,
      });
      const statements: DataAwsIamPolicyDocumentStatement[] = [
        // CodeBuild names each build's stream <stream_name>/<build id>.
        {
          sid: "WriteOwnLogStreams",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${this.logGroup.arn}:log-stream:${key}/*`],
        },
        { sid: "ReadArtifacts", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${bucketArn}/*`] },
        ...(spec.writesArtifacts ? [{ sid: "WriteArtifacts", actions: ["s3:PutObject"], resources: [`${bucketArn}/*`] }] : []),
        { sid: "UseThePipelineKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [keyArn] },
        ...spec.extra,
      ];
      const policy = new DataAwsIamPolicyDocument(this, `${key}-policy`, { statement: statements });
      const rolePolicy = new IamRolePolicy(this, `${key}-role-policy`, { name: projectName, role: role.id, policy: policy.json });
      const built = new CodebuildProject(this, key, {
        name: projectName,
        description: spec.description,
        serviceRole: role.arn,
        encryptionKey: keyArn,
        buildTimeout: spec.timeout,
        artifacts: { type: "CODEPIPELINE" },
        source: { type: "CODEPIPELINE", buildspec: spec.buildspec },
        environment: {
          type: "LINUX_CONTAINER",
          computeType: spec.computeType ?? "BUILD_GENERAL1_SMALL",
          image: CODEBUILD_IMAGE,
          imagePullCredentialsType: "CODEBUILD",
          // Docker-in-Docker needs it; every other project runs unprivileged (CKV_AWS_316).
          privilegedMode: spec.privileged,
          environmentVariable: Object.entries(spec.env ?? {}).map(([n, value]) => ({ name: n, value, type: "PLAINTEXT" })),
        },
        logsConfig: {
          cloudwatchLogs: { status: "ENABLED", groupName: this.logGroup.name, streamName: key },
          s3Logs: { status: "DISABLED" },
        },
        // CodeBuild checks the role when the project is created.
        dependsOn: [rolePolicy],
      });
      projects[key] = built;
      return built;
    };

    this.buildRegistry = new ContainerRegistry(this, "build-registry", {
      prefix: name,
      images: props.images.map((i) => i.name),
      kmsKeyArn: keyArn,
      accountId,
      pushedBy: [roleArn(partition, accountId, roles.build)],
      // A release may wait days at an approval while main keeps building: its digest must not expire meanwhile.
      keepTaggedImages: 200,
    });
    const built = this.buildRegistry.repositoryRefs;
    const images = props.images.map((i) => ({
      name: i.name,
      repositoryUrl: built[i.name].url,
      context: i.context ?? ".",
      dockerfile: i.dockerfile ?? `${(i.context ?? ".").replace(/\/+$/, "")}/Dockerfile`,
    }));
    const build = project("build", {
      description:
        "Builds the images, runs unit and integration tests, pushes them to the build repositories, gates on the image scan (CI-2)",
      buildspec: buildSpec({
        images,
        unitTestCommand: props.unitTestCommand ?? "make test-unit",
        integrationTestCommand: props.integrationTestCommand ?? "make test-integration",
        failOnSeverities: props.failOnSeverities ?? ["CRITICAL", "HIGH"],
      }),
      privileged: true,
      timeout: 60,
      computeType: props.buildComputeType ?? "BUILD_GENERAL1_MEDIUM",
      writesArtifacts: false,
      extra: [
        // GetAuthorizationToken has no resource: the token is for the account's registry as a whole.
        { sid: "LogInToEcr", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PushAndScanTheBuildRepositories",
          actions: [...PUSH_AND_SCAN_ACTIONS],
          resources: Object.values(built).map((r) => r.arn),
        },
      ],
    });

    const source = "source";
    const variables = (extra: Record<string, string>) =>
      JSON.stringify(
        Object.entries({ IMAGE_TAG: `#{${SOURCE_NAMESPACE}.CommitId}`, ...extra }).map(([n, value]) => ({
          name: n,
          value,
          type: "PLAINTEXT",
        })),
      );
    // The build's outputs (exported-variables): the release tag and each image's digest.
    const buildOutput = (variable: string) => `#{${BUILD_NAMESPACE}.${variable}}`;
    const codebuildAction = (
      actionName: string,
      project: CodebuildProject,
      runOrder: number,
      options: { output?: string; namespace?: string; env?: Record<string, string> } = {},
    ): CodepipelineStageAction => ({
      name: actionName,
      category: "Build",
      owner: "AWS",
      provider: "CodeBuild",
      version: "1",
      runOrder,
      namespace: options.namespace,
      inputArtifacts: [source],
      outputArtifacts: options.output ? [options.output] : undefined,
      configuration: { ProjectName: project.name, EnvironmentVariables: variables(options.env ?? {}) },
    });

    const stages: CodepipelineStage[] = [
      {
        name: "Source",
        action: [
          {
            name: "Source",
            category: "Source",
            owner: "AWS",
            provider: "CodeStarSourceConnection",
            version: "1",
            namespace: SOURCE_NAMESPACE,
            outputArtifacts: [source],
            configuration: {
              ConnectionArn: this.connection.arn,
              FullRepositoryId: `${props.repository.owner}/${props.repository.name}`,
              BranchName: props.repository.branch ?? "main",
              // A push to the branch starts the pipeline (CI-1).
              DetectChanges: "true",
              OutputArtifactFormat: "CODE_ZIP",
            },
          },
        ],
      },
      { name: "Build", action: [codebuildAction("Build", build, 1, { namespace: BUILD_NAMESPACE })] },
    ];

    /** A stage's promotion project: its own role pulls the build repositories and pushes the stage's only. */
    const promotion = (stage: DeliveryStage): CodebuildProject =>
      project(`promote-${stage.name.toLowerCase()}`, {
        description: `Promotes the gated images by digest into ${stage.name}'s repositories`,
        buildspec: promoteSpec({
          images: stage.images.map((i) => ({ name: i.name, sourceUrl: built[i.name].url, targetUrl: i.repositoryUrl })),
          targetRegion: stage.deployment.region,
        }),
        // crane copies registry to registry: no Docker daemon.
        privileged: false,
        timeout: 30,
        writesArtifacts: false,
        extra: [
          { sid: "LogInToEcr", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
          { sid: "PullTheBuildRepositories", actions: [...PULL_ACTIONS], resources: stage.images.map((i) => built[i.name].arn) },
          { sid: "PushTheStagesRepositories", actions: [...PUSH_AND_SCAN_ACTIONS], resources: stage.images.map((i) => i.repositoryArn) },
        ],
      });
    /** A stage's record project (its last action): writes the promoted digests to the environment's release parameters. */
    const recording = (stage: DeliveryStage, releaseDigests: NonNullable<DeliveryStage["releaseDigests"]>): CodebuildProject => {
      const release = stage.deployment.releaseRoleArn;
      const parameters = releaseDigests.regions.map((r) => `arn:${partition}:ssm:${r}:${accountId}:parameter${releaseDigests.path}/*`);
      return project(`record-${stage.name.toLowerCase()}`, {
        description: `Records the digests ${stage.name} released in its release parameters`,
        buildspec: recordSpec({
          images: stage.images.map((i) => i.name),
          releaseDigests,
          assumeReleaseRole: release !== undefined,
        }),
        privileged: false,
        timeout: 15,
        writesArtifacts: false,
        extra: release
          ? // The parameters are in the environment's account: written through its release role.
            [{ sid: "AssumeTheReleaseRole", actions: ["sts:AssumeRole"], resources: [release] }]
          : [{ sid: "WriteTheReleaseDigests", actions: ["ssm:GetParameter", "ssm:PutParameter"], resources: parameters }],
        env: release ? { RELEASE_ROLE_ARN: release } : undefined,
      });
    };

    for (const stage of props.stages) {
      const lower = stage.name.toLowerCase();
      const d = stage.deployment;
      const deployed = stage.images.find((i) => i.name === d.image);
      if (!deployed) throw new Error(`DeliveryPipeline "${id}": stage ${stage.name} deploys ${d.image}, which it does not promote`);
      const promote = promotion(stage);
      const render = project(`render-${lower}`, {
        description: `Renders ${DEPLOY_FILES.taskDefinition}, ${DEPLOY_FILES.appSpec} and ${DEPLOY_FILES.imageDetail} for ${stage.name}`,
        buildspec: renderSpec({ assumeReleaseRole: d.releaseRoleArn !== undefined, region: d.region }),
        privileged: false,
        timeout: 15,
        writesArtifacts: true,
        extra: d.releaseRoleArn
          ? // The task definition is in the environment's account: read through its release role.
            [{ sid: "AssumeTheReleaseRole", actions: ["sts:AssumeRole"], resources: [d.releaseRoleArn] }]
          : // DescribeTaskDefinition has no resource-level permissions.
            [{ sid: "ReadTaskDefinitions", actions: ["ecs:DescribeTaskDefinition"], resources: ["*"] }],
        env: {
          ...(d.releaseRoleArn ? { RELEASE_ROLE_ARN: d.releaseRoleArn } : {}),
          TASK_FAMILY: d.taskDefinitionFamily,
          CONTAINER_NAME: d.containerName,
          IMAGE_REPOSITORY_URL: deployed.repositoryUrl,
          APPSPEC: appSpec({
            containerName: d.containerName,
            containerPort: d.containerPort,
            hooks: d.hooks,
            capacityProviderStrategy: d.capacityProviderStrategy,
          }),
        },
      });
      const deployArtifact = `${lower}_deploy`;
      const actions: CodepipelineStageAction[] = [];
      let order = 1;
      if (stage.approval) {
        actions.push({
          name: "Approve",
          category: "Approval",
          owner: "AWS",
          provider: "Manual",
          version: "1",
          runOrder: order++,
          configuration: { CustomData: `Deploy commit #{${SOURCE_NAMESPACE}.CommitId} to ${stage.name}?` },
        });
      }
      // Promoted after the approval: nothing reaches the environment's registry before it.
      const digests = Object.fromEntries(stage.images.map((i) => [digestVariable(i.name), buildOutput(digestVariable(i.name))]));
      actions.push(codebuildAction("Promote", promote, order++, { env: { [RELEASE_TAG]: buildOutput(RELEASE_TAG), ...digests } }));
      // Rendered after the approval: the template is the family's revision at deploy time.
      actions.push(
        codebuildAction("Render", render, order++, {
          output: deployArtifact,
          env: { IMAGE_DIGEST: buildOutput(digestVariable(deployed.name)) },
        }),
      );
      actions.push({
        name: "Deploy",
        category: "Deploy",
        owner: "AWS",
        provider: "CodeDeployToECS",
        version: "1",
        runOrder: order++,
        inputArtifacts: [deployArtifact],
        roleArn: d.releaseRoleArn,
        region: d.region,
        configuration: {
          ApplicationName: d.applicationName,
          DeploymentGroupName: d.deploymentGroupName,
          TaskDefinitionTemplateArtifact: deployArtifact,
          TaskDefinitionTemplatePath: DEPLOY_FILES.taskDefinition,
          AppSpecTemplateArtifact: deployArtifact,
          AppSpecTemplatePath: DEPLOY_FILES.appSpec,
          Image1ArtifactName: deployArtifact,
          Image1ContainerName: IMAGE_PLACEHOLDER,
        },
      });
      for (const v of stage.validations ?? []) {
        const check = project(`${lower}-${v.name}`, {
          description: `${v.name} after the ${stage.name} deployment`,
          buildspec: validationSpec(v.commands),
          privileged: false,
          timeout: 60,
          writesArtifacts: false,
          extra: [],
          env: { STAGE: stage.name },
        });
        actions.push(codebuildAction(v.name, check, order++));
      }
      // Recorded last: only a release that deployed and passed its checks becomes what Terraform's task definitions run.
      if (stage.releaseDigests) actions.push(codebuildAction("Record", recording(stage, stage.releaseDigests), order++, { env: digests }));
      stages.push({ name: stage.name, action: actions });
    }

    // The pipeline's own role deploys the stages in its account; the others through their release roles.
    const groups = props.stages.map((s) => s.deployment).filter((d) => d.releaseRoleArn === undefined);
    const trust = new DataAwsIamPolicyDocument(this, "pipeline-trust", {
      // No source conditions: CodePipeline's service role trust is documented without them.
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codepipeline.amazonaws.com"] }] }],
    });
    this.pipelineRole = new IamRole(this, "pipeline-role", {
      name: roles.pipeline,
      description: `CodePipeline ${name}`,
      assumeRolePolicy: trust.json,
    });
    const pipelinePolicy = new DataAwsIamPolicyDocument(this, "pipeline-policy", {
      statement: [
        // CodePipeline copies a cross-region action's input artifacts into its region's store as this role.
        {
          sid: "ReadWriteArtifacts",
          actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
          resources: stores.map((r) => `${r.bucket.bucket.arn}/*`),
        },
        {
          sid: "InspectArtifactBucket",
          actions: ["s3:GetBucketVersioning", "s3:GetBucketLocation"],
          resources: stores.map((r) => r.bucket.bucket.arn),
        },
        {
          sid: "UseThePipelineKey",
          actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
          resources: stores.map((r) => r.key.keyArn),
        },
        // The connection's ARN keeps the codestar-connections prefix; the service answers to both names since its rename to CodeConnections.
        {
          sid: "UseTheGitHubConnection",
          actions: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
          resources: [this.connection.arn],
        },
        {
          sid: "RunTheBuilds",
          actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
          resources: Object.values(projects).map((p) => p.arn),
        },
        ...(groups.length ? deploymentStatements(account, groups, props.passRoleArns) : []),
        ...(releaseRoles.length ? [{ sid: "ActAsTheReleaseRoles", actions: ["sts:AssumeRole"], resources: releaseRoles }] : []),
      ],
    });
    const pipelineRolePolicy = new IamRolePolicy(this, "pipeline-role-policy", {
      name: roles.pipeline,
      role: this.pipelineRole.id,
      policy: pipelinePolicy.json,
    });

    this.pipeline = new Codepipeline(this, "pipeline", {
      name,
      pipelineType: "V2",
      roleArn: this.pipelineRole.arn,
      // One store has no region; with cross-region actions every store names its own (provider: all or none).
      artifactStore: [
        { ...storeOf(home), region: regional.length ? region : undefined },
        ...regional.map(([storeRegion, r]) => ({ ...storeOf(r), region: storeRegion })),
      ],
      stage: stages,
      dependsOn: [pipelineRolePolicy],
    });
    this.projects = projects;
    ComponentTags.apply(this, "delivery");
  }
}

/** What an artifact store's bucket and key are made with. */
interface ArtifactStoreOptions {
  readonly alias: string;
  readonly retentionDays: number;
  readonly preventDestroy?: boolean;
  readonly description: string;
  readonly account: AwsAccount;
  readonly allowCloudWatchLogs?: boolean;
  /** Release roles of other accounts whose deploy actions read this store. */
  readonly readers: readonly string[];
  readonly bucketName: string;
  readonly accessLogBucket: SecureBucket;
  readonly provider?: TerraformProvider;
}

/** An artifact bucket and its key; the release roles that deploy from it may read its objects. */
function artifactStore(scope: Construct, keyId: string, bucketId: string, props: ArtifactStoreOptions): ArtifactStore {
  const { readers } = props;
  const key = new EncryptionKey(scope, keyId, {
    alias: props.alias,
    description: props.description,
    account: props.account,
    allowCloudWatchLogs: props.allowCloudWatchLogs,
    allowRoles: readers.length ? readers : undefined,
    preventDestroy: props.preventDestroy,
    provider: props.provider,
  });
  const bucket = new SecureBucket(scope, bucketId, {
    bucketName: props.bucketName,
    preventDestroy: props.preventDestroy,
    expirationDays: props.retentionDays,
    noncurrentVersionExpirationDays: 7,
    accessLogs: { target: props.accessLogBucket },
    provider: props.provider,
  });
  const bucketArn = bucket.bucket.arn;
  if (readers.length) {
    // CodePipeline's cross-account actions read their input artifacts as the action's role.
    bucket.addToPolicy({
      sid: "ReleaseRolesReadArtifacts",
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resources: [`${bucketArn}/*`],
      ...namedRoles(readers),
    });
    bucket.addToPolicy({
      sid: "ReleaseRolesListArtifacts",
      actions: ["s3:ListBucket", "s3:GetBucketLocation"],
      resources: [bucketArn],
      ...namedRoles(readers),
    });
  }
  return { key, bucket };
}

const storeOf = ({ key, bucket }: ArtifactStore) => ({
  location: bucket.bucket.bucket,
  type: "S3",
  encryptionKey: { id: key.keyArn, type: "KMS" },
});

const NAME = /^[a-z][a-z0-9-]{0,24}$/;
const STAGE = /^[A-Za-z][A-Za-z0-9]{0,11}$/;
const VALIDATION = /^[a-z][a-z0-9-]{0,23}$/;
const GITHUB = /^[A-Za-z0-9_.-]+$/;

function validate(id: string, props: DeliveryPipelineProps): void {
  const problems: string[] = [];
  if (!NAME.test(props.name ?? ""))
    problems.push(
      `name: "${props.name ?? ""}" must be 1-25 lower-case letters, digits or hyphens, starting with a letter (the connection name is at most 32)`,
    );
  const repo = props.repository ?? ({} as DeliveryPipelineProps["repository"]);
  if (!GITHUB.test(repo.owner ?? "") || !GITHUB.test(repo.name ?? ""))
    problems.push(`repository: "${repo.owner ?? ""}/${repo.name ?? ""}" is not a GitHub owner/name`);
  if (repo.branch !== undefined && !/^[^\s~^:?*[\\]+$/.test(repo.branch))
    problems.push(`repository.branch: "${repo.branch}" is not a branch name`);

  const images = props.images ?? [];
  if (images.length === 0) problems.push("images: name at least one image to build (CI-2)");
  if (new Set(images.map((i) => i.name)).size !== images.length) problems.push("images: names must be distinct");
  for (const image of images) {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(image.name ?? ""))
      problems.push(`images: "${image.name ?? ""}" must be 1-40 lower-case letters, digits or hyphens`);
    for (const field of ["context", "dockerfile"] as const) {
      const path = image[field];
      if (path !== undefined && (!path || /['\n]/.test(path)))
        problems.push(`images.${image.name}.${field}: "${path}" must be a non-empty path without quotes or newlines`);
    }
  }
  for (const field of ["unitTestCommand", "integrationTestCommand"] as const) {
    if (props[field]?.trim() === "") problems.push(`${field}: must not be empty (CI-2 runs the tests)`);
  }
  const severities = props.failOnSeverities ?? ["CRITICAL", "HIGH"];
  if (severities.length === 0) problems.push("failOnSeverities: must name at least one severity (CI-2's scan gate)");
  for (const s of severities)
    if (!SCAN_SEVERITIES.includes(s)) problems.push(`failOnSeverities: "${s}" is not an ECR severity (${SCAN_SEVERITIES.join(", ")})`);

  const stages = props.stages ?? [];
  if (stages.length === 0) problems.push("stages: name at least one deploy stage");
  const stageNames = stages.map((s) => s.name?.toLowerCase());
  if (new Set(stageNames).size !== stageNames.length) problems.push("stages: names must be distinct (ignoring case)");
  if (stageNames.some((n) => n === "source" || n === "build")) problems.push("stages: Source and Build are the pipeline's own stages");
  const built = new Set(images.map((i) => i.name));
  const stores = props.regionalArtifactStores ?? [];
  const storeRegions = stores.map((r) => r.region);
  stores.forEach((store, i) => {
    const at = `regionalArtifactStores[${i}]`;
    if (storeRegions.indexOf(store.region) !== i) problems.push(`${at}.region: ${store.region} has a store already`);
    else if (!stages.some((s) => s.deployment?.region === store.region))
      problems.push(`${at}.region: ${store.region}: no stage deploys there (its deployment.region), so nothing would use the store`);
    const name = bucketNameProblem(store.bucketName);
    if (name) problems.push(`${at}.bucketName: ${name}`);
  });
  for (const stage of stages) {
    const at = `stages.${stage.name}`;
    if (!STAGE.test(stage.name ?? ""))
      problems.push(`stages: "${stage.name ?? ""}" must be 1-12 letters or digits, starting with a letter`);
    const d = stage.deployment;
    if (!d) {
      problems.push(`${at}.deployment: must be given`);
      continue;
    }
    for (const field of ["applicationName", "deploymentGroupName", "taskDefinitionFamily", "containerName"] as const) {
      if (!d[field]) problems.push(`${at}.deployment.${field}: must be given`);
    }
    if (!(Number.isInteger(d.containerPort) && d.containerPort >= 1 && d.containerPort <= 65535))
      problems.push(`${at}.deployment.containerPort: ${d.containerPort} is not a TCP port`);
    if (d.releaseRoleArn !== undefined && !roleArnShape(d.releaseRoleArn))
      problems.push(`${at}.deployment.releaseRoleArn: "${d.releaseRoleArn}" is not an IAM role ARN`);
    if (d.region !== undefined && !isRegionName(d.region)) problems.push(`${at}.deployment.region: "${d.region}" is not a region name`);
    else if (d.region !== undefined && !storeRegions.includes(d.region))
      problems.push(
        `${at}.deployment.region: ${d.region} has no artifact store: name one in regionalArtifactStores (CodePipeline copies a cross-region action's input artifacts to a bucket and key of its region)`,
      );
    const promoted = stage.images ?? [];
    if (promoted.length === 0) problems.push(`${at}.images: name the repositories the stage promotes the images into`);
    for (const image of promoted) {
      if (!built.has(image.name)) problems.push(`${at}.images: "${image.name}" is not one of the built images`);
      const url = image.repositoryUrl ?? "";
      // A Terraform reference (the registry module's URL) is checked by AWS at apply.
      if (withStandIns(url) === url && !/^[^/\s]+\.dkr\.ecr\.[^/\s]+\/[a-z0-9._/-]+$/.test(url))
        problems.push(`${at}.images.${image.name}.repositoryUrl: "${url}" is not an ECR repository URL`);
      if (!image.repositoryArn)
        problems.push(`${at}.images.${image.name}.repositoryArn: must be given (the promotion may push only there)`);
    }
    if (!promoted.some((i) => i.name === d.image)) problems.push(`${at}.deployment.image: "${d.image}" is not one of the stage's images`);
    const release = stage.releaseDigests;
    if (release && (!/^(\/[\w.-]+)+$/.test(release.path ?? "") || (release.regions ?? []).length === 0))
      problems.push(`${at}.releaseDigests: "${release.path}" must be an SSM parameter path, written in at least one region`);
    const validations = stage.validations ?? [];
    if (new Set(validations.map((v) => v.name)).size !== validations.length) problems.push(`${at}.validations: names must be distinct`);
    for (const v of validations) {
      if (!VALIDATION.test(v.name ?? ""))
        problems.push(`${at}.validations: "${v.name ?? ""}" must be 1-24 lower-case letters, digits or hyphens, starting with a letter`);
      if (!v.commands?.length || v.commands.some((c) => !c.trim()))
        problems.push(`${at}.validations.${v.name}.commands: must be one or more non-empty commands`);
    }
  }
  if (stages.some((s) => s.deployment && !s.deployment.releaseRoleArn) && (props.passRoleArns ?? []).length === 0)
    problems.push("passRoleArns: name the task and execution roles of the deployed task definitions (CodeDeployToECS registers them)");
  const artifactDays = props.artifactRetentionDays ?? 90;
  if (!(Number.isInteger(artifactDays) && artifactDays >= 1))
    problems.push(`artifactRetentionDays: ${artifactDays} must be a whole number of days >= 1`);
  const retention = logRetentionProblem(props.logRetentionDays ?? 365);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  refuseProps("DeliveryPipeline", id, problems);
}

/** The IAM role names a pipeline called `name` creates: other accounts' release roles trust them by name. */
export function deliveryRoleNames(name: string) {
  const project = (key: string) => `${name}-${key}`;
  return {
    pipeline: `${name}-pipeline`,
    build: project("build"),
    /** The render project of a stage (its name as in DeliveryStage.name). */
    render: (stage: string) => project(`render-${stage.toLowerCase()}`),
    /** The promotion project of a stage: the only role that pushes to the environment's repositories. */
    promote: (stage: string) => project(`promote-${stage.toLowerCase()}`),
    /** The record project of a stage: writes the environment's release parameters. */
    record: (stage: string) => project(`record-${stage.toLowerCase()}`),
    project,
  };
}
