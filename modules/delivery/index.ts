export { appSpec } from "./appspec";
export { BlueGreenDeployment, type BlueGreenDeploymentProps, deploymentHooks } from "./blue-green";
export { buildSpec, renderSpec } from "./buildspecs";
export {
  DeliveryPipeline,
  type DeliveryPipelineProps,
  type DeliveryStage,
  deliveryRoleNames,
} from "./pipeline";
export { ReleaseRole } from "./release-role";
export {
  ALL_AT_ONCE_CONFIG,
  type TrafficShift,
  trafficPlan,
} from "./traffic-shift";
