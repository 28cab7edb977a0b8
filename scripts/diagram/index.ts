/** `npm run diagram`: a Mermaid picture of each environment, generated from its synthesized stack. */
export type { DiagramContents, DiagramModel } from "./canvas";
export { nodesOf } from "./canvas";
export { architectureDocuments } from "./documents";
export { buildDiagramModel, isDiagrammed } from "./model";
export { GENERATED_NOTE, renderDocument, renderMermaid } from "./render";
export { securityGroupPaths } from "./security-groups";
export type { StackJson } from "./terraform";
