export { appSpec } from "./appspec";
export { BlueGreenDeployment, type BlueGreenDeploymentProps, deploymentHooks } from "./blue-green";
export { buildSpec, renderSpec } from "./buildspecs";
export {
  DeliveryPipeline,
  type DeliveryPipelineProps,
  type DeliveryStage,
} from "./pipeline";
export {
  ALL_AT_ONCE_CONFIG,
  type TrafficShift,
  trafficPlan,
} from "./traffic-shift";
