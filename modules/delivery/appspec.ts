/** CodeDeploy ECS lifecycle events that can run a Lambda hook. */
export type EcsLifecycleEvent = "BeforeInstall" | "AfterInstall" | "AfterAllowTestTraffic" | "BeforeAllowTraffic" | "AfterAllowTraffic";

const EVENT_ORDER: readonly EcsLifecycleEvent[] = [
  "BeforeInstall",
  "AfterInstall",
  "AfterAllowTestTraffic",
  "BeforeAllowTraffic",
  "AfterAllowTraffic",
];

export interface AppSpecProps {
  /** The container the load balancer sends traffic to. */
  readonly containerName: string;
  readonly containerPort: number;
  /** Lambda function (name or ARN) per lifecycle event. @default {} */
  readonly hooks?: Readonly<Partial<Record<EcsLifecycleEvent, string>>>;
  /**
   * The service's capacity providers: CodeDeploy starts the replacement task
   * set with what the AppSpec says, not with the service's strategy (which
   * ECS refuses to change on a CODE_DEPLOY service), so FARGATE_SPOT services
   * stay on Spot only when it is repeated here.
   * @default - the cluster's default strategy
   */
  readonly capacityProviderStrategy?: readonly { readonly capacityProvider: string; readonly weight: number; readonly base?: number }[];
}

/**
 * The AppSpec (YAML) of an ECS blue/green deployment. `<TASK_DEFINITION>` is
 * the placeholder CodePipeline's CodeDeployToECS action replaces with the task
 * definition it registers from taskdef.json. The pipeline's render step writes
 * exactly this text, so what tests check is what CodeDeploy receives. Strings
 * are JSON-quoted: a JSON string is a valid YAML double-quoted scalar.
 */
export function appSpec(props: AppSpecProps): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    "version: 0.0",
    "Resources:",
    "  - TargetService:",
    "      Type: AWS::ECS::Service",
    "      Properties:",
    `        TaskDefinition: ${q("<TASK_DEFINITION>")}`,
    "        LoadBalancerInfo:",
    `          ContainerName: ${q(props.containerName)}`,
    `          ContainerPort: ${props.containerPort}`,
  ];
  if (props.capacityProviderStrategy?.length) {
    lines.push("        CapacityProviderStrategy:");
    for (const p of props.capacityProviderStrategy) {
      lines.push(
        `          - CapacityProvider: ${q(p.capacityProvider)}`,
        `            Weight: ${p.weight}`,
        `            Base: ${p.base ?? 0}`,
      );
    }
  }
  const hooks = EVENT_ORDER.flatMap((event) => {
    const functionName = props.hooks?.[event];
    return functionName ? [`  - ${event}: ${q(functionName)}`] : [];
  });
  if (hooks.length) lines.push("Hooks:", ...hooks);
  return `${lines.join("\n")}\n`;
}
