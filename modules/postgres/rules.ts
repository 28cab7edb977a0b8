/** RDS keeps 1-35 days of automated backups; 0 turns them off, and with them PITR and read replicas. */
export function backupRetentionProblem(days: number): string | undefined {
  return Number.isInteger(days) && days >= 1 && days <= 35
    ? undefined
    : `${days} must be 1-35: replicas and point-in-time recovery need automated backups`;
}
