import { cidrContains, cidrsOverlap, type Ipv4Cidr, parseCidr } from "../../modules/common/cidr";

const cidr = (text: string) => parseCidr(text) as Ipv4Cidr;

describe("parseCidr", () => {
  it("parses a network address", () => {
    expect(parseCidr("10.0.1.0/24")).toEqual({ text: "10.0.1.0/24", start: 0x0a000100, end: 0x0a0001ff, prefixLength: 24 });
  });

  it.each([
    ["10.0.1/24", "is not an IPv4 CIDR"],
    ["10.0.1.0", "is not an IPv4 CIDR"],
    ["10.0.300.0/24", "octet above 255"],
    ["10.0.0.0/33", "prefix length above 32"],
    ["10.0.1.5/24", "host bits set; the network address is 10.0.1.0/24"],
  ])("refuses %s (%s)", (text, reason) => {
    expect(parseCidr(text)).toContain(reason);
  });

  it("tells containment and overlap apart", () => {
    expect(cidrContains(cidr("10.0.0.0/16"), cidr("10.0.30.0/24"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.0/16"), cidr("10.1.0.0/24"))).toBe(false);
    expect(cidrsOverlap(cidr("10.0.0.0/16"), cidr("10.0.255.0/24"))).toBe(true);
    expect(cidrsOverlap(cidr("10.0.0.0/16"), cidr("10.1.0.0/16"))).toBe(false);
  });
});
