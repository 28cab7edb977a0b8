import { isRegionName } from "../common/limits";

/** A read-only copy of a secret in another region, encrypted with a key of that region. */
export interface SecretReplica {
  readonly region: string;
  readonly kmsKeyArn: string;
}

/** The `replica` blocks of an `aws_secretsmanager_secret`. */
export const secretReplicas = (replicas: readonly SecretReplica[] | undefined) =>
  replicas?.map((replica) => ({ region: replica.region, kmsKeyId: replica.kmsKeyArn }));

/** What is wrong with `replicas` (field `path`) of a secret in `ownRegion`: one rule for every replicated secret. */
export function secretReplicaProblems(
  path: string,
  replicas: readonly SecretReplica[] | undefined,
  ownRegion: string | undefined,
): string[] {
  const problems: string[] = [];
  const listed = replicas ?? [];
  listed.forEach((replica, i) => {
    if (!isRegionName(replica.region)) problems.push(`${path}[${i}].region: "${replica.region ?? ""}" is not a region name`);
    else if (replica.region === ownRegion)
      problems.push(`${path}[${i}].region: "${replica.region}" is the secrets' own region; a replica must be in another one`);
    if (listed.findIndex((r) => r.region === replica.region) !== i)
      problems.push(`${path}[${i}].region: "${replica.region}" is listed twice`);
    if (!replica.kmsKeyArn) problems.push(`${path}[${i}].kmsKeyArn: is required (a key of the replica's region)`);
  });
  return problems;
}
