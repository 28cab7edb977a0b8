import type { EnvironmentConfig } from "../environments/types";

/** Name of an environment's platform stack (and its state key / workspace). */
export const platformStackName = (config: EnvironmentConfig) => `ecg-${config.name}`;
