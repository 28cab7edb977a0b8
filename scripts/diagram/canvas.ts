/**
 * The diagram model and the canvas it is drawn on: nodes placed in nested
 * groups (region → VPC → tier), each placed once per address, with ids that
 * depend only on what they stand for, so the output is the same every run.
 */
import { compare } from "./terraform";

export type NodeKind = "securityGroup" | "subnet" | "peer" | "resource" | "external" | "unresolved";

export interface DiagramNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** What it stands for: a Terraform address, or a rule's CIDR or expression as written. */
  readonly address: string;
  readonly title: string;
  readonly details: readonly string[];
}

export interface DiagramEdge {
  /** "path": allowed by security-group rules; "link": replication, origin, routing. */
  readonly kind: "path" | "link";
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface DiagramContents {
  readonly nodes: readonly DiagramNode[];
  readonly groups: readonly DiagramGroup[];
}

interface DiagramGroup extends DiagramContents {
  readonly id: string;
  readonly title: string;
}

export interface DiagramModel extends DiagramContents {
  readonly stack: string;
  readonly edges: readonly DiagramEdge[];
}

/** A group a node sits in: `key` is what it is, `stem` what its id is made of; `rank` orders it among its siblings before its id does. */
export interface GroupSpec {
  readonly key: string;
  readonly stem: string;
  readonly title: string;
  readonly rank: number;
}

/** The groups a node sits in, outermost first; empty for the top level. */
export type Placement = readonly GroupSpec[];

export type NodeSpec = Omit<DiagramNode, "id">;

interface DraftGroup {
  readonly id: string;
  readonly title: string;
  readonly rank: number;
  readonly nodes: DiagramNode[];
  readonly groups: Map<string, DraftGroup>;
}

/** A Mermaid id: lower-case letters, digits and underscores. */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "") || "node";

/** All nodes of a model, groups included, depth first. */
export function nodesOf(contents: DiagramContents): DiagramNode[] {
  return [...contents.nodes, ...contents.groups.flatMap(nodesOf)];
}

export class Canvas {
  private readonly root: DraftGroup = { id: "", title: "", rank: 0, nodes: [], groups: new Map() };
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly edges = new Map<string, DiagramEdge>();

  /** The node that stands for an address, if one was placed (or aliased) for it. */
  idOf(address: string): string | undefined {
    return this.ids.get(address);
  }

  /** Places a node for an address, once: a second call returns the first node's id. `stem` is what the id is made of (a short name). */
  add(spec: NodeSpec, placement: Placement, stem: string): string {
    const known = this.ids.get(spec.address);
    if (known) return known;
    const id = this.claim(slug(stem));
    let group = this.root;
    for (const { key, stem: groupStem, title, rank } of placement) {
      const inner = group.groups.get(key) ?? { id: this.claim(slug(groupStem)), title, rank, nodes: [], groups: new Map() };
      group.groups.set(key, inner);
      group = inner;
    }
    group.nodes.push({ id, ...spec });
    this.ids.set(spec.address, id);
    return id;
  }

  /** Lets another address (a member of a group's node) stand for a node; the first alias wins. */
  alias(address: string, id: string): void {
    if (!this.ids.has(address)) this.ids.set(address, id);
  }

  connect(edge: DiagramEdge): void {
    this.edges.set(JSON.stringify([edge.kind, edge.from, edge.to, edge.label]), edge);
  }

  model(stack: string): DiagramModel {
    const edges = [...this.edges.entries()].sort(([a], [b]) => compare(a, b)).map(([, edge]) => edge);
    return { stack, ...freeze(this.root), edges };
  }

  // Ids come from names; a clash (two names that differ in punctuation only) gets a suffix, in the fixed order nodes are added.
  private claim(stem: string): string {
    let id = stem;
    for (let n = 2; this.taken.has(id); n++) id = `${stem}_${n}`;
    this.taken.add(id);
    return id;
  }
}

function freeze(group: DraftGroup): DiagramContents {
  return {
    nodes: [...group.nodes].sort((a, b) => compare(a.id, b.id)),
    groups: [...group.groups.values()]
      .sort((a, b) => a.rank - b.rank || compare(a.id, b.id))
      .map((inner) => ({ id: inner.id, title: inner.title, ...freeze(inner) })),
  };
}
