export { appSpec, type AppSpecProps, type EcsLifecycleEvent } from "./appspec";
export { BlueGreenDeployment, type BlueGreenDeploymentProps, deploymentHooks, HOOK_FUNCTION_PREFIX } from "./blue-green";
export { buildSpec, DEPLOY_FILES, IMAGE_PLACEHOLDER, renderSpec, SCAN_SEVERITIES, type ScanSeverity, validationSpec } from "./buildspecs";
export {
  CODEBUILD_IMAGE,
  DeliveryPipeline,
  type DeliveryImage,
  type DeliveryPipelineProps,
  type DeliveryStage,
  SOURCE_NAMESPACE,
} from "./pipeline";
export {
  ALL_AT_ONCE_CONFIG,
  MAX_CANARY_INTERVAL_MINUTES,
  MAX_HOOK_BAKE_MINUTES,
  type TrafficPlan,
  type TrafficShift,
  trafficPlan,
  trafficShiftProblems,
} from "./traffic-shift";
