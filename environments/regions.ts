/**
 * AZ letters per region that the program may use. Data, kept short on purpose:
 * a region or AZ not listed here is refused by validation, so a typo
 * (`ap-northeast-2b` where the account has no such AZ mapped, or a region with
 * a missing dash) fails before synthesis instead of at apply.
 * Source: the EC2 DescribeAvailabilityZones output for each region.
 */
export const availabilityZonesByRegion: Readonly<Record<string, readonly string[]>> = {
  "ap-northeast-1": ["a", "c", "d"],
  "ap-northeast-2": ["a", "b", "c", "d"],
  "ap-northeast-3": ["a", "b", "c"],
  "us-east-1": ["a", "b", "c", "d", "e", "f"],
  "us-east-2": ["a", "b", "c"],
  "us-west-2": ["a", "b", "c", "d"],
  "eu-west-1": ["a", "b", "c"],
  "eu-central-1": ["a", "b", "c"],
};
