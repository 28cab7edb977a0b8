import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

export interface DnsValidatedCertificateProps {
  readonly domainName: string;
  /** Public hosted zone that holds the name. */
  readonly hostedZoneId: string;
  /** Region of the certificate: CloudFront takes certificates from us-east-1 only. @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * An ACM certificate validated through a DNS record in Route 53. Users of it
 * take `certificateArn`, which exists only once ACM has issued it.
 */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  /** The ARN, available once the certificate is issued. */
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    this.certificate = new AcmCertificate(this, "certificate", {
      provider: props.provider,
      domainName: props.domainName,
      validationMethod: "DNS",
      // A renamed domain gets its new certificate before users let go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    const validation = this.certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, "validation-record", {
      zoneId: props.hostedZoneId,
      name: validation.resourceRecordName,
      type: validation.resourceRecordType,
      records: [validation.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    });
    this.certificateArn = new AcmCertificateValidation(this, "validation", {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [record.fqdn],
    }).certificateArn;
  }
}
