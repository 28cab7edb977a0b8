import { ConfigValidationError } from "../../environments/problems";
import type { EnvironmentConfig } from "../../environments/types";
import { validateEnvironments } from "../../environments/validate";

/** The problems validation names for `envs`, as `<environment>: <path>: <reason>`; none when they are valid. */
export function problemsOf(envs: readonly EnvironmentConfig[]): string[] {
  try {
    validateEnvironments(envs);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems.map((p) => `${p.environment}: ${p.path}: ${p.reason}`);
  }
  return [];
}
