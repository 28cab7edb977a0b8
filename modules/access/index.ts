export { PermissionsBoundary, PermissionsBoundaryAspect } from "./boundary";
export { GITHUB_ACTIONS, OidcProvider, TERRAFORM_CLOUD } from "./oidc";
export { AccessRole, WebIdentityRole } from "./web-identity-role";
export { StateRole, stateAccessStatements } from "./state-role";
