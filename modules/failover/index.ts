export {
  DEFAULT_CHECKER_REGIONS,
  DnsFailover,
  type DnsFailoverProps,
  FailoverRecord,
  type FailoverRecordProps,
  type FailoverRole,
  type HealthAlarmOptions,
  type HealthCheckOptions,
  type RegionalEndpoint,
  ROUTE53_CHECKER_REGIONS,
  ROUTE53_METRICS_REGION,
} from "./dns-failover";
export {
  type AcceleratedRegion,
  type AcceleratorHealthCheck,
  GLOBAL_ACCELERATOR_API_REGION,
  GlobalEntryPoint,
  type GlobalEntryPointProps,
} from "./global-entry-point";
