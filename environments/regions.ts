/**
 * AZ letters per region that the program may use. Data, kept short on purpose:
 * a region or AZ not listed here is refused by validation, so a typo
 * (`ap-northeast-2b` where the account has no such AZ mapped, or a region with
 * a missing dash) fails before synthesis instead of at apply.
 * Source: the EC2 DescribeAvailabilityZones output for each region.
 *
 * To add a region: list its AZ letters from
 * `aws ec2 describe-availability-zones --region <region> --query 'AvailabilityZones[].ZoneName'`
 * (letters map to different physical zones per account, but the set is the
 * region's), and add its prices to pricing/prices.json (`npm run cost` names
 * each one it misses).
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
  "eu-west-2": ["a", "b", "c"],
  "ap-southeast-1": ["a", "b", "c"],
  "ap-southeast-2": ["a", "b", "c"],
  "ap-south-1": ["a", "b", "c"],
};
