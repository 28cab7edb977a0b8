import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { architectureDocuments, buildDiagramModel, GENERATED_NOTE, isDiagrammed, nodesOf, renderMermaid } from "../../scripts/diagram";
import { resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

// The run's shared synthesis of the shipped program: no synthesis of its own.
const { stacks } = synthProgram();
const DIAGRAMMED = Object.keys(stacks)
  .filter((name) => isDiagrammed(stacks[name]))
  .sort();
const PAGES = join(__dirname, "..", "..", "docs", "architecture");
const RUN = "run `npm run diagram` and commit docs/architecture/";

/** `${aws_x.name.attribute}` → "aws_x.name"; a CIDR or anything else as written. */
const endOf = (value: string) => /^\$\{([a-z0-9_]+\.[^.}]+)\.[a-z_]+\}$/.exec(value)?.[1] ?? value;

/**
 * The allowed paths, read straight from the rule resources: "from -> to
 * ports/protocol", an ingress rule's peer being its from, an egress rule's
 * its to. The stacks write every rule as one of these two resources.
 */
function pathsFromRules(stack: SynthesizedStack): string[] {
  const paths = new Set<string>();
  for (const direction of ["ingress", "egress"]) {
    for (const [, rule] of resourcesOf(stack, `aws_vpc_security_group_${direction}_rule`)) {
      const group = endOf(rule.security_group_id);
      const peer = endOf(rule.referenced_security_group_id ?? rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.prefix_list_id);
      const ports = rule.from_port === rule.to_port ? `${rule.from_port}` : `${rule.from_port}-${rule.to_port}`;
      const [from, to] = direction === "ingress" ? [peer, group] : [group, peer];
      paths.add(`${from} -> ${to} ${ports}/${rule.ip_protocol}`);
    }
  }
  return [...paths].sort();
}

/** The solid arrows of the stack's Mermaid picture, as "from -> to label" by what their nodes stand for. */
function pathsInDiagram(name: string): string[] {
  const model = buildDiagramModel(name, stacks[name]);
  const address = new Map(nodesOf(model).map((node) => [node.id, node.address]));
  const arrows = [...renderMermaid(model).matchAll(/^ {2}(\S+) -->\|"([^"]*)"\| (\S+)$/gm)];
  return arrows.map(([, from, label, to]) => `${address.get(from)} -> ${address.get(to)} ${label}`).sort();
}

/** The line where two texts first differ, for a failure message. */
function firstDifference(a: string, b: string): string {
  const [left, right] = [a.split("\n"), b.split("\n")];
  const line = left.findIndex((text, i) => text !== right[i]);
  const at = line < 0 ? left.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(left[at] ?? "(end)")}, generated ${JSON.stringify(right[at] ?? "(end)")}`;
}

describe("architecture diagrams (npm run diagram)", () => {
  it("pictures every environment stack with a network and the global entry point, nothing else", () => {
    expect(DIAGRAMMED).toEqual(["ecg-dev", "ecg-prod", "ecg-prod-global", "ecg-prod-standby", "ecg-staging"]);
  });

  it.each(DIAGRAMMED)("%s: one arrow per path the synthesized security-group rules allow, and no other", (name) => {
    const stack = stacks[name];
    // The derivation above reads these two rule resources only: the stacks must not write rules any other way.
    expect(resourcesOf(stack, "aws_security_group_rule")).toEqual([]);
    for (const [id, group] of [...resourcesOf(stack, "aws_security_group"), ...resourcesOf(stack, "aws_default_security_group")])
      expect({ id, ingress: group.ingress, egress: group.egress }).toEqual({ id });
    const shown = pathsInDiagram(name);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(pathsFromRules(stack));
  });

  it("[NET-4] security groups: each environment's picture shows exactly the allowed paths (ALB 443 from internet → backend 8000 → ML 8080, GPU 8090, Redis 6379, RDS 5432; GPU → Redis 6379, S3 443)", () => {
    // The matrix, written out here: from, to, port. "s3" is the S3 gateway endpoint's prefix list, "nat" a NAT gateway's address.
    const SEED = [
      "internet -> alb 443",
      "alb -> backend 8000",
      "backend -> mlAudio 8080",
      "backend -> gpuRender 8090",
      "backend -> redis 6379",
      "backend -> rds 5432",
      "gpuRender -> redis 6379",
      "gpuRender -> s3 443",
    ];
    // What NET-4 allows beyond the seed, each needed to start a task or host; and CI-3's blue/green test listener.
    const ADDED = [
      "backend -> endpoints 443",
      "mlAudio -> endpoints 443",
      "gpuRender -> endpoints 443",
      "backend -> s3 443",
      "mlAudio -> s3 443",
    ];
    const TEST_LISTENER = "nat -> alb 8443";
    for (const name of ["ecg-dev", "ecg-staging", "ecg-prod", "ecg-prod-standby"]) {
      const model = buildDiagramModel(name, stacks[name]);
      const role = new Map(
        nodesOf(model).map((node) => {
          const group = stacks[name].resource.aws_security_group?.[node.address.split(".")[1]];
          const endpoint = stacks[name].resource.aws_vpc_endpoint?.[node.address.split(".")[1]];
          if (node.address.startsWith("aws_security_group.")) return [node.id, group.tags.Name.slice(name.length + 1)];
          if (node.address.startsWith("aws_vpc_endpoint.") && endpoint.service_name.endsWith(".s3")) return [node.id, "s3"];
          if (node.address === "0.0.0.0/0") return [node.id, "internet"];
          if (/^\$\{aws_eip\.[^.]+\.public_ip\}\/32$/.test(node.address)) return [node.id, "nat"];
          return [node.id, `unexpected ${node.address}`];
        }),
      );
      const shown = [
        ...new Set(
          model.edges
            .filter((e) => e.kind === "path")
            .map((e) => `${role.get(e.from)} -> ${role.get(e.to)} ${e.label.replace("/tcp", "")}`),
        ),
      ];
      expect({ name, paths: shown.filter((path) => path !== TEST_LISTENER).sort() }).toEqual({ name, paths: [...SEED, ...ADDED].sort() });
    }
  });

  it("shows prod's services, data stores and cross-region pieces", () => {
    const model = buildDiagramModel("ecg-prod", stacks["ecg-prod"]);
    const text = nodesOf(model)
      .flatMap((node) => [node.title, ...node.details])
      .join("\n");
    for (const piece of [
      "ALB ecg-prod-api · internet-facing",
      "WAF ecg-prod-api",
      "ECS service ecg-prod-backend-api\nFargate",
      "Auto Scaling group ecg-prod-ml-audio",
      "containers gpu-render-server :8090, celery-workers (GPU)\nAuto Scaling group ecg-prod-gpu-render",
      "PostgreSQL 15 · primary · ecg-prod\ndb.r6g.xlarge · Multi-AZ\nread replica ecg-prod-replica-1",
      "ElastiCache Redis 7.0 ecg-prod",
      "CloudFront cdn.ecg-render.com",
      "Route 53 api.ecg-render.com",
    ])
      expect(text).toContain(piece);
    const oregon = model.groups.find((group) => group.title === "Oregon · us-west-2");
    expect(oregon?.nodes.map((node) => node.title)).toEqual(["S3 ecg-videos-prod-<account>-replica"]);
    const standby = buildDiagramModel("ecg-prod-standby", stacks["ecg-prod-standby"]);
    const title = new Map(nodesOf(standby).map((node) => [node.id, node.title]));
    expect(standby.edges.filter((e) => e.kind === "link").map((e) => `${title.get(e.from)} -> ${title.get(e.to)}: ${e.label}`)).toEqual([
      "RDS DB ecg-prod -> RDS automated backups: backup copy",
      "RDS DB ecg-prod -> RDS: replication",
      "Route 53 api.ecg-render.com -> ALB: failover SECONDARY",
    ]);
  });

  it("docs/architecture/ holds no generated page of a stack that is no longer pictured", () => {
    // Pages written by hand (without the generated note) may sit beside them.
    const generated = (file: string) => readFileSync(join(PAGES, file), "utf8").includes(GENERATED_NOTE);
    const committed = existsSync(PAGES) ? readdirSync(PAGES).filter(generated).sort() : [];
    const expected = [...architectureDocuments(stacks).keys()].sort();
    if (committed.join() !== expected.join())
      throw new Error(`docs/architecture/ has ${JSON.stringify(committed)}, the generator writes ${JSON.stringify(expected)}: ${RUN}.`);
  });

  it.each([...architectureDocuments(stacks)])("docs/architecture/%s is what the generator writes now", (file, page) => {
    const path = join(PAGES, file);
    if (!existsSync(path)) throw new Error(`docs/architecture/${file} is missing: ${RUN}.`);
    const committed = readFileSync(path, "utf8");
    if (committed !== page) throw new Error(`docs/architecture/${file} is out of date (${firstDifference(committed, page)}): ${RUN}.`);
  });
});
