import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

export interface DnsValidatedCertificateProps {
  readonly domainName: string;
  /** More names the certificate covers, each validated in the same zone. @default - none */
  readonly subjectAlternativeNames?: readonly string[];
  /** Public hosted zone that holds the names. */
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
    const names = [props.domainName, ...(props.subjectAlternativeNames ?? [])];
    // ACM drops repeated names, so a validation record per listed name would index past its list.
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (repeated.length)
      throw new Error(
        `DnsValidatedCertificate "${id}": subjectAlternativeNames: ${[...new Set(repeated)].join(", ")} listed twice (or equal to domainName)`,
      );
    this.certificate = new AcmCertificate(this, "certificate", {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames?.length ? [...props.subjectAlternativeNames] : undefined,
      validationMethod: "DNS",
      // A renamed domain gets its new certificate before users let go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    // One validation record per name: ACM asks for one CNAME per name it covers.
    const records = names.map((_, i) => {
      const validation = this.certificate.domainValidationOptions.get(i);
      return new Route53Record(this, i === 0 ? "validation-record" : `validation-record-${i + 1}`, {
        zoneId: props.hostedZoneId,
        name: validation.resourceRecordName,
        type: validation.resourceRecordType,
        records: [validation.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      });
    });
    this.certificateArn = new AcmCertificateValidation(this, "validation", {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: records.map((record) => record.fqdn),
    }).certificateArn;
  }
}
