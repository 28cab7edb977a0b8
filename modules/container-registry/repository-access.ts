/** What writing an image into a repository takes (ECR API actions): layers, then the manifest. */
export const PUSH_ACTIONS = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"] as const;

/** What pushing an image and reading its scan findings take, on the repository (ECR API actions). */
export const PUSH_AND_SCAN_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:DescribeImages",
  "ecr:DescribeImageScanFindings",
] as const;

/** What pulling an image by digest takes, on the repository. */
export const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;
