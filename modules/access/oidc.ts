import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

/** An OpenID Connect issuer IAM can trust: its URL (the tokens' `iss`) and the audience its tokens carry for AWS. */
export interface OidcIssuer {
  readonly url: string;
  readonly audience: string;
}

/** GitHub Actions' issuer; `aws-actions/configure-aws-credentials` asks for the STS audience. */
export const GITHUB_ACTIONS: OidcIssuer = { url: "https://token.actions.githubusercontent.com", audience: "sts.amazonaws.com" };

/** HCP Terraform's issuer and the audience of its dynamic AWS credentials (`TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`'s default). */
export const TERRAFORM_CLOUD: OidcIssuer = { url: "https://app.terraform.io", audience: "aws.workload.identity" };

/** The issuer's host: what IAM condition keys on its claims start with (`<host>:sub`, `<host>:aud`). */
export const issuerHost = (issuer: OidcIssuer) => issuer.url.replace(/^https:\/\//, "");

export interface OidcProviderProps {
  readonly issuer: OidcIssuer;
  /** @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * An IAM OIDC identity provider: an account holds one per issuer URL
 * (CreateOpenIDConnectProvider refuses a second), so one stack per account owns it.
 */
export class OidcProvider extends Construct {
  readonly issuer: OidcIssuer;
  readonly resource: IamOpenidConnectProvider;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: OidcProviderProps) {
    super(scope, id);
    this.issuer = props.issuer;
    this.resource = new IamOpenidConnectProvider(this, "provider", {
      provider: props.provider,
      url: props.issuer.url,
      clientIdList: [props.issuer.audience],
      // No thumbprint_list (optional since provider 5.81): IAM checks these issuers' TLS certificates
      // against its library of trusted root CAs and uses thumbprints only for issuers outside it
      // (IAM User Guide, "Obtain the thumbprint for an OpenID Connect identity provider").
    });
    this.arn = this.resource.arn;
  }
}
