/** The pages `npm run diagram` writes: `<stack>.md` for each stack with a network or a global entry point. */
import { buildDiagramModel, isDiagrammed } from "./model";
import { renderDocument } from "./render";
import { compare, type StackJson } from "./terraform";

/** File name → page, by stack name. */
export function architectureDocuments(stacks: Readonly<Record<string, StackJson>>): Map<string, string> {
  return new Map(
    Object.keys(stacks)
      .sort(compare)
      .filter((name) => isDiagrammed(stacks[name]))
      .map((name) => [`${name}.md`, renderDocument(buildDiagramModel(name, stacks[name]))]),
  );
}
