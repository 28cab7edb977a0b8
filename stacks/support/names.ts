import type { EnvironmentConfig } from "../../environments/types";

/** Name of an environment's platform stack (and its state key / workspace). */
export const platformStackName = (config: EnvironmentConfig) => `ecg-${config.name}`;

/** Name of an environment's standby stack in the failover region (DR-1, DR-3). */
export const standbyStackName = (config: EnvironmentConfig) => `${platformStackName(config)}-standby`;

/** Name of an environment's global stack: Global Accelerator in front of both regions (SC-2). */
export const globalStackName = (config: EnvironmentConfig) => `${platformStackName(config)}-global`;
