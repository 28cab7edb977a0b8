export {
  DEFAULT_CHECKER_REGIONS,
  DnsFailover,
  type DnsFailoverProps,
  FailoverRecord,
  type FailoverRecordProps,
  type FailoverRole,
  type RegionalEndpoint,
} from "./dns-failover";
export {
  GLOBAL_ACCELERATOR_API_REGION,
  GlobalEntryPoint,
  type GlobalEntryPointProps,
} from "./global-entry-point";
