/**
 * The lifecycle of every repository the program owns or templates: untagged
 * layers expire after `untaggedDays`, and only the newest `keep` images stay.
 */
export function imageLifecyclePolicy(keep: number, untaggedDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Drop untagged images after ${untaggedDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keep} tagged images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/** Repository lifecycle settings shared by ContainerRegistry and PullThroughCache: the problems of bad values. */
export function lifecycleProblems(keep: number, untaggedDays: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(keep) || keep < 1) problems.push(`keepTaggedImages: ${keep} must be a whole number >= 1`);
  if (!Number.isInteger(untaggedDays) || untaggedDays < 1) problems.push(`untaggedExpiryDays: ${untaggedDays} must be a whole number >= 1`);
  return problems;
}
