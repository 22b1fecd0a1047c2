// The egress decision, on its own: allow entries, host patterns, the
// non-public address rule, per-binary rules. No sockets: nothing here
// connects anywhere, so refused addresses (metadata, private ranges) are
// only ever data.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { addressClass, formatIp, normalizeHost, parseIp } from "../../src/network/allowlist.js";
import { evaluate, precheck } from "../../src/network/decide.js";
import { checkAllowEntry, type DecisionInput, decide, type EgressPolicy, proxyEnv } from "../../src/network/index.js";

const PUBLIC_V4 = "93.184.216.34";
const PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946";

const policy = (...rules: EgressPolicy["rules"]): EgressPolicy => ({ rules });
const input = (host: string, port: number, addresses: string[] = [], exe: string | null = null): DecisionInput => ({
  host,
  port,
  addresses,
  exe,
});

describe("checkAllowEntry", () => {
  it("accepts the documented forms", () => {
    for (const entry of [
      "example.org",
      "*.example.org",
      "example.org:443",
      "*.example.org:8080",
      "EXAMPLE.Org.",
      "_acme-challenge.example.org",
      "xn--bcher-kva.de",
      "localhost",
      "registry.npmjs.org:443",
      "10.1.2.3",
      "10.1.2.3:5432",
      "10.0.0.0/8",
      "10.0.0.0/8:443",
      "0.0.0.0/0",
      "::1",
      "[::1]",
      "[::1]:8080",
      "fd00::/8",
      "[fd00::/8]",
      "[fd00::/8]:443",
      "::ffff:10.0.0.0/104",
      "2001:db8::1",
      "[64:ff9b::10.0.0.1]:80",
    ]) {
      assert.equal(checkAllowEntry(entry), null, entry);
    }
  });

  it("refuses malformed entries with a message naming the problem", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      [" example.org", /whitespace/],
      ["http://example.org", /no scheme.*example\.org:443/],
      ["example.org/path", /no path/],
      ["user@example.org", /HOST\[:PORT\] only/],
      ["*", /list the hosts/],
      ["*.", /not an entry/],
      ["a.*.example.org", /whole leftmost label/],
      ["*x.example.org", /whole leftmost label/],
      ["**.example.org", /whole leftmost label/],
      ["example.org:0", /not a port/],
      ["example.org:65536", /not a port/],
      ["example.org:08", /not a port/],
      ["example.org:", /not a port/],
      [":443", /no host/],
      ["-bad.example.org", /not a host name label/],
      ["exa_mple..org", /empty label/],
      ["bücher.de", /xn--bcher-kva\.de/],
      ["10.0.0.1/8", /write 10\.0\.0\.0\/8/],
      ["10.0.0.0/33", /prefix length/],
      ["10.0.0.0/08", /prefix length/],
      ["256.1.1.1", /not an IPv4 address/],
      ["1.2.3", /not an IPv4 address/],
      ["010.0.0.1", /not an IPv4 address/],
      ["2130706433", /not an IPv4 address/],
      ["0x7f.1", /not a host name, and not an IP address/],
      ["example.123", /not a host name, and not an IP address/],
      ["[fd00::]/8:443", /inside the brackets: \[fd00::\/8\]:443/],
      ["[fd00::1/8]", /bits set after the prefix: write fd00::\/8/],
      ["fd00::/129", /prefix length/],
      ["fe80::1%eth0", /not an IPv6 address/],
      ["[fe80::1%eth0]:80", /not an IPv6 address/],
      ["gggg::1", /not an IPv6 address.*\[ADDR\]:PORT/],
      ["[::1]:", /not a port/],
      ["[::1]:70000", /not a port/],
      ["[example.org]:443", /not an IPv6 address/],
    ];
    for (const [entry, pattern] of cases) {
      const problem = checkAllowEntry(entry);
      assert.ok(problem !== null, `${JSON.stringify(entry)} must be refused`);
      assert.match(problem, pattern, `${JSON.stringify(entry)}: ${problem}`);
    }
  });

  it("reads a bare IPv6 address as an address: a port needs brackets", () => {
    // ::1:8080 is the address 0::1:8080, not ::1 port 8080; the docs say so.
    assert.equal(checkAllowEntry("::1:8080"), null);
    const p = policy({ name: "v6", allow: ["::1:8080"] });
    assert.equal(decide(p, input("::1", 8080)).allowed, false);
    assert.equal(decide(p, input("::1:8080", 443)).allowed, true);
  });

  it("never throws, whatever the string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const r = checkAllowEntry(s);
        assert.ok(r === null || typeof r === "string");
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts every domain name, with and without a wildcard and a port", () => {
    fc.assert(
      fc.property(fc.domain(), fc.boolean(), fc.option(fc.integer({ min: 1, max: 65535 })), (d, wild, port) => {
        const entry = `${wild ? "*." : ""}${d}${port === null ? "" : `:${port}`}`;
        assert.equal(checkAllowEntry(entry), null, entry);
      }),
    );
  });
});

describe("decide: destinations", () => {
  const p = policy(
    { name: "api", allow: ["api.example.com:443"] },
    { name: "wild", allow: ["*.pkg.example.org"] },
    { name: "nets", allow: ["203.0.114.0/24:5432", "[2001:4860::/32]:443"] },
  );

  it("allows a listed name on its port, resolving to public addresses", () => {
    const v = decide(p, input("api.example.com", 443, [PUBLIC_V4, PUBLIC_V6]));
    assert.deepEqual(v, { allowed: true, rule: "api", reason: 'allowed by rule "api": "api.example.com:443"' });
  });

  it("returns exactly allowed, rule and reason", () => {
    assert.deepEqual(Object.keys(decide(p, input("x.test", 1, [PUBLIC_V4]))).sort(), ["allowed", "reason", "rule"]);
  });

  it("refuses another port, and names the entry to add", () => {
    const v = decide(p, input("api.example.com", 80, [PUBLIC_V4]));
    assert.equal(v.allowed, false);
    assert.equal(v.rule, null);
    assert.equal(v.reason, "no rule allows api.example.com:80");
  });

  it("matches names case-insensitively and without the trailing dot", () => {
    assert.equal(decide(p, input("API.Example.COM.", 443, [PUBLIC_V4])).allowed, true);
  });

  it("a wildcard matches any depth of subdomain but not the apex", () => {
    for (const host of ["a.pkg.example.org", "a.b.c.pkg.example.org"]) {
      assert.equal(decide(p, input(host, 443, [PUBLIC_V4])).allowed, true, host);
    }
    for (const host of ["pkg.example.org", "evilpkg.example.org", "pkg.example.org.evil.com", "example.org"]) {
      assert.equal(decide(p, input(host, 443, [PUBLIC_V4])).allowed, false, host);
    }
  });

  it("an entry without a port allows every port", () => {
    assert.equal(decide(p, input("a.pkg.example.org", 1, [PUBLIC_V4])).allowed, true);
    assert.equal(decide(p, input("a.pkg.example.org", 65535, [PUBLIC_V4])).allowed, true);
  });

  it("an IP literal is matched by IP and CIDR entries, never by a name", () => {
    assert.equal(decide(p, input("203.0.114.9", 5432)).allowed, true);
    assert.equal(decide(p, input("203.0.114.9", 5433)).allowed, false);
    assert.equal(decide(p, input("203.0.115.9", 5432)).allowed, false);
    assert.equal(decide(p, input("[2001:4860:4860::8888]", 443)).allowed, true);
    assert.equal(decide(p, input("2001:4860:4860::8888", 443)).allowed, true);
    const byName = policy({ name: "n", allow: ["example.com"] });
    assert.equal(decide(byName, input(PUBLIC_V4, 443, [PUBLIC_V4])).allowed, false);
  });

  it("for an IP literal the literal is the address, whatever addresses says", () => {
    const v = decide(p, input("203.0.114.9", 5432, ["127.0.0.1"]));
    assert.equal(v.allowed, true);
  });

  it("an IPv4-mapped IPv6 destination is judged as the IPv4 address", () => {
    assert.equal(decide(p, input("::ffff:203.0.114.9", 5432)).allowed, true);
    assert.equal(decide(p, input("[::ffff:cb00:7209]", 5432)).allowed, true);
  });

  it("refuses invalid input rather than throwing", () => {
    for (const bad of [
      input("exa mple.com", 443, [PUBLIC_V4]),
      input("", 443, [PUBLIC_V4]),
      input("api.example.com", 0, [PUBLIC_V4]),
      input("api.example.com", 65536, [PUBLIC_V4]),
      input("api.example.com", Number.NaN, [PUBLIC_V4]),
      input("api.example.com", 443, ["not-an-ip"]),
      input("api.example.com", 443, ["fe80::1%eth0"]),
      input("api.example.com", 443, []),
      input("0x7f.1", 443, []),
      input("2130706433", 443, []),
    ]) {
      const v = decide(p, bad);
      assert.equal(v.allowed, false, JSON.stringify(bad));
      assert.ok(v.reason.length > 0);
    }
    assert.match(decide(p, input("api.example.com", 443, [])).reason, /did not resolve/);
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.integer({ min: -5, max: 70000 }),
        fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 10 })), { maxLength: 4 }),
        fc.option(fc.string({ maxLength: 10 })),
        (host, port, addresses, exe) => {
          const v = decide(p, { host, port, addresses, exe });
          assert.equal(typeof v.allowed, "boolean");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("ignores invalid entries of a policy instead of throwing (the proxy refuses such a policy)", () => {
    const v = decide(policy({ name: "bad", allow: ["http://x", "*.ok.test"] }), input("a.ok.test", 80, [PUBLIC_V4]));
    assert.equal(v.allowed, true);
  });
});

describe("decide: non-public addresses", () => {
  const named = policy({ name: "n", allow: ["service.test"] });

  const nonPublic: [string, RegExp][] = [
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["10.1.2.3", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /CGNAT/],
    ["169.254.169.254", /metadata/],
    ["169.254.170.2", /metadata/],
    ["100.100.100.200", /metadata/],
    ["169.254.1.1", /link-local/],
    ["0.0.0.0", /unspecified/],
    ["192.0.0.170", /IETF/],
    ["198.18.0.1", /benchmarking/],
    ["192.0.2.1", /documentation/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["::127.0.0.1", /reserved/],
    ["fe80::1", /link-local/],
    ["fd00::1", /unique-local/],
    ["fc00::1", /unique-local/],
    ["fd00:ec2::254", /metadata/],
    ["fec0::1", /site-local/],
    ["ff02::1", /multicast/],
    ["2001:db8::1", /documentation/],
    ["2001::1", /Teredo/],
    ["100::1", /discard/],
    ["64:ff9b:1::1", /NAT64/],
    ["::ffff:127.0.0.1", /loopback/],
    ["::ffff:169.254.169.254", /metadata/],
    ["::ffff:10.0.0.1", /private/],
    ["64:ff9b::10.0.0.1", /NAT64 form of 10\.0\.0\.1, private/],
    ["64:ff9b::a9fe:a9fe", /NAT64 form of 169\.254\.169\.254/],
    ["2002:7f00:1::1", /6to4 form of 127\.0\.0\.1, loopback/],
    ["2002:c0a8:101::1", /6to4 form of 192\.168\.1\.1/],
  ];

  it("a host name never authorizes a non-public address", () => {
    for (const [address, cls] of nonPublic) {
      const v = decide(named, input("service.test", 443, [address]));
      assert.equal(v.allowed, false, address);
      assert.equal(v.rule, "n");
      assert.match(v.reason, cls, address);
      assert.match(v.reason, /a host name never authorizes a non-public address/);
    }
  });

  it("public addresses pass, including public IPv4 carried in IPv6", () => {
    for (const address of [
      PUBLIC_V4,
      PUBLIC_V6,
      "8.8.8.8",
      "::ffff:93.184.216.34",
      "64:ff9b::5db8:d822",
      "2002:5db8:d822::1",
      "172.32.0.1",
      "100.128.0.1",
      "192.169.0.1",
    ]) {
      assert.equal(decide(named, input("service.test", 443, [address])).allowed, true, address);
    }
  });

  it("an IP literal destination in a non-public range needs an IP or CIDR entry", () => {
    const v = decide(named, input("169.254.169.254", 80));
    assert.equal(v.allowed, false);
    assert.match(v.reason, /169\.254\.169\.254 is the cloud metadata endpoint .*only an IP or CIDR entry allows it/);
    assert.equal(
      decide(policy({ name: "m", allow: ["169.254.169.254:80"] }), input("169.254.169.254", 80)).allowed,
      true,
    );
    assert.equal(decide(policy({ name: "l", allow: ["[::1]:8080"] }), input("[::1]", 8080)).allowed, true);
    assert.equal(decide(policy({ name: "l", allow: ["fd00::/8"] }), input("fd12::1", 1)).allowed, true);
  });

  it("an IP or CIDR entry of the matching rule authorizes the resolved address", () => {
    const p = policy({ name: "db", allow: ["db.test:5432", "10.0.0.0/8"] });
    const v = decide(p, input("db.test", 5432, ["10.1.2.3"]));
    assert.equal(v.allowed, true);
    assert.equal(v.reason, 'allowed by rule "db": "db.test:5432"; 10.1.2.3 by "10.0.0.0/8"');
    const local = policy({ name: "l", allow: ["app.test", "127.0.0.1:8080", "[::1]:8080"] });
    assert.equal(decide(local, input("app.test", 8080, ["127.0.0.1", "::1"])).allowed, true);
    assert.equal(decide(local, input("app.test", 8081, ["127.0.0.1"])).allowed, false);
  });

  it("an IP entry in another rule does not authorize it", () => {
    const p = policy({ name: "name", allow: ["db.test"] }, { name: "net", allow: ["10.0.0.0/8"] });
    const v = decide(p, input("db.test", 5432, ["10.1.2.3"]));
    assert.equal(v.allowed, false);
    assert.equal(v.rule, "name");
    assert.match(v.reason, /db\.test resolves to 10\.1\.2\.3, private/);
  });

  it("an IP or CIDR entry alone does not allow names that resolve into it", () => {
    const p = policy({ name: "net", allow: ["10.0.0.0/8"] });
    assert.equal(decide(p, input("db.test", 5432, ["10.1.2.3"])).allowed, false);
    assert.equal(decide(p, input("10.1.2.3", 5432)).allowed, true);
  });

  it("every resolved address must pass: one non-public address refuses the name", () => {
    const v = decide(named, input("service.test", 443, [PUBLIC_V4, "127.0.0.1", PUBLIC_V6]));
    assert.equal(v.allowed, false);
    assert.match(v.reason, /resolves to 127\.0\.0\.1, loopback/);
  });

  it("a refusal names the entry that would allow it", () => {
    assert.equal(
      evaluate(named, input("service.test", 8080, ["127.0.0.1"])).hint,
      'allow "127.0.0.1:8080" in rule "n" (cordon run --allow-host 127.0.0.1:8080, or that rule\'s allow list)',
    );
    const v6 = evaluate(named, input("service.test", 8080, ["::1"]));
    assert.match(v6.reason, /::1, loopback/);
    assert.match(v6.hint, /^allow "\[::1\]:8080" in rule "n"/);
    assert.equal(
      evaluate(named, input("other.test", 443, [PUBLIC_V4])).hint,
      'allow "other.test:443" (cordon run --allow-host other.test:443, or network.allow in the policy)',
    );
    assert.match(evaluate(named, input("::1", 80)).hint, /^allow "\[::1\]:80" \(cordon run --allow-host \[::1\]:80/);
    const bin = policy({ name: "b", allow: ["x.test"], binaries: ["/usr/bin/curl"] });
    assert.equal(
      evaluate(bin, input("x.test", 1, [PUBLIC_V4], "/usr/bin/wget")).hint,
      'add "/usr/bin/wget" to the binaries of rule "b", or allow "x.test:1" in a rule without binaries',
    );
    assert.equal(evaluate(bin, input("x.test", 1, [PUBLIC_V4], "/usr/bin/curl")).hint, "");
  });

  it("property: a name-only rule refuses any address in a non-public IPv4 range", () => {
    const ranges: [number, number][] = [
      [0x0a000000, 8], // 10/8
      [0x7f000000, 8], // 127/8
      [0xa9fe0000, 16], // 169.254/16
      [0xac100000, 12], // 172.16/12
      [0xc0a80000, 16], // 192.168/16
      [0x64400000, 10], // 100.64/10
      [0xe0000000, 4], // 224/4
      [0xf0000000, 4], // 240/4
      [0x00000000, 8], // 0/8
    ];
    fc.assert(
      fc.property(fc.constantFrom(...ranges), fc.integer({ min: 0, max: 0xffffffff }), ([base, prefix], r) => {
        const host = prefix === 0 ? r : (base + (r % 2 ** (32 - prefix))) >>> 0;
        const v4 = [24, 16, 8, 0].map((s) => (host >>> s) & 255).join(".");
        for (const address of [v4, `::ffff:${v4}`, `64:ff9b::${v4}`]) {
          assert.equal(decide(named, input("service.test", 443, [address])).allowed, false, address);
        }
      }),
    );
  });

  it("property: the IPv4-mapped and NAT64 forms are classed as the IPv4 address", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const plain = addressClass(parseIp(v4) ?? assert.fail(v4));
        const mapped = addressClass(parseIp(`::ffff:${v4}`) ?? assert.fail(v4));
        const nat64 = addressClass(parseIp(`64:ff9b::${v4}`) ?? assert.fail(v4));
        assert.equal(mapped, plain);
        assert.equal(nat64 === null, plain === null);
      }),
    );
  });

  it("property: unique-local, link-local and multicast IPv6 are never authorized by a name", () => {
    const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const gen = fc.tuple(
      fc.constantFrom("fc", "fd", "fe8", "fe9", "fea", "feb", "ff0", "ff1"),
      fc.array(hex, { minLength: 7, maxLength: 7 }),
    );
    fc.assert(
      fc.property(gen, ([prefix, rest]) => {
        const first = `${prefix}${"0".repeat(4 - prefix.length)}`;
        const address = [first, ...rest].join(":");
        assert.equal(decide(named, input("service.test", 443, [address])).allowed, false, address);
      }),
    );
  });

  it("property: the verdict does not depend on the order of addresses", () => {
    const pool = [PUBLIC_V4, PUBLIC_V6, "8.8.4.4", "127.0.0.1", "10.9.9.9", "169.254.169.254", "fd00::5", "::1"];
    const publicOnes = new Set([PUBLIC_V4, PUBLIC_V6, "8.8.4.4"]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: 1 }),
        fc.shuffledSubarray(pool, { minLength: 1 }),
        (addresses, _) => {
          const v = decide(named, input("service.test", 443, addresses));
          const reversed = decide(named, input("service.test", 443, [...addresses].reverse()));
          assert.equal(v.allowed, reversed.allowed);
          assert.equal(
            v.allowed,
            addresses.every((a) => publicOnes.has(a)),
          );
        },
      ),
    );
  });
});

describe("decide: CIDR and host pattern properties", () => {
  it("property: a CIDR entry allows exactly the addresses inside it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (raw, prefix, probe) => {
          const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
          const base = (raw & mask) >>> 0;
          const text = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
          const p = policy({ name: "c", allow: [`${text(base)}/${prefix}:443`] });
          const inside = (probe & mask) >>> 0 === base;
          assert.equal(decide(p, input(text(probe), 443)).allowed, inside);
          const member = (base | (probe & ~mask)) >>> 0;
          assert.equal(decide(p, input(text(member), 443)).allowed, true);
          assert.equal(decide(p, input(text(member), 444)).allowed, false);
        },
      ),
    );
  });

  it("property: *.base matches every subdomain of base and nothing else", () => {
    fc.assert(
      fc.property(fc.domain(), fc.domain(), fc.domain(), (base, sub, other) => {
        const p = policy({ name: "w", allow: [`*.${base}`] });
        assert.equal(decide(p, input(`${sub}.${base}`, 443, [PUBLIC_V4])).allowed, true);
        assert.equal(decide(p, input(base, 443, [PUBLIC_V4])).allowed, false);
        const unrelated = !other.endsWith(`.${base}`);
        if (unrelated) assert.equal(decide(p, input(other, 443, [PUBLIC_V4])).allowed, false);
        // A suffix that is not at a label boundary never matches.
        assert.equal(decide(p, input(`x${base}`, 443, [PUBLIC_V4])).allowed, false);
      }),
    );
  });

  it("property: IPv6 text round-trips through parse and format", () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const ip = parseIp(text) ?? assert.fail(text);
        const again = parseIp(formatIp(ip)) ?? assert.fail(formatIp(ip));
        assert.deepEqual(again, ip);
        assert.equal(normalizeHost(`[${text}]`), formatIp(ip));
      }),
    );
  });
});

describe("decide: binaries", () => {
  const p = policy({ name: "pip", allow: ["pypi.test:443"], binaries: ["/usr/bin/pip3", "/usr/bin/python3.11"] });

  it("allows a listed executable", () => {
    assert.equal(decide(p, input("pypi.test", 443, [PUBLIC_V4], "/usr/bin/python3.11")).allowed, true);
  });

  it("refuses another executable, naming it and the rule", () => {
    const v = decide(p, input("pypi.test", 443, [PUBLIC_V4], "/usr/bin/curl"));
    assert.equal(v.allowed, false);
    assert.equal(v.rule, "pip");
    assert.match(
      v.reason,
      /only for \/usr\/bin\/pip3, \/usr\/bin\/python3\.11, and the connection came from \/usr\/bin\/curl/,
    );
  });

  it("compares exact paths", () => {
    for (const exe of ["/usr/bin/pip", "/usr/bin/pip3 (deleted)", "/usr/local/bin/pip3", "pip3", ""]) {
      assert.equal(decide(p, input("pypi.test", 443, [PUBLIC_V4], exe)).allowed, false, exe);
    }
  });

  it("refuses when identification failed, and says so", () => {
    const v = decide(p, input("pypi.test", 443, [PUBLIC_V4], null));
    assert.equal(v.allowed, false);
    assert.match(v.reason, /identification failed/);
  });

  it("a rule without binaries (or with an empty list) allows every executable, identified or not", () => {
    for (const binaries of [undefined, []]) {
      const open = policy({ name: "any", allow: ["pypi.test"], ...(binaries ? { binaries } : {}) });
      assert.equal(decide(open, input("pypi.test", 443, [PUBLIC_V4], null)).allowed, true);
      assert.equal(decide(open, input("pypi.test", 443, [PUBLIC_V4], "/usr/bin/curl")).allowed, true);
    }
  });

  it("another rule without binaries can still allow the destination", () => {
    const both = policy(p.rules[0] ?? assert.fail(), { name: "open", allow: ["pypi.test:443"] });
    const v = decide(both, input("pypi.test", 443, [PUBLIC_V4], null));
    assert.deepEqual([v.allowed, v.rule], [true, "open"]);
  });

  it("property: with binaries on every rule, an unidentified process is never allowed", () => {
    fc.assert(
      fc.property(fc.domain(), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const q = policy({ name: "b", allow: [host, `*.${host}`], binaries: ["/usr/bin/curl"] });
        assert.equal(decide(q, input(host, port, [PUBLIC_V4], null)).allowed, false);
        assert.equal(decide(q, input(host, port, [PUBLIC_V4], "/usr/bin/curl")).allowed, true);
      }),
    );
  });
});

describe("precheck: no DNS for names no rule lists", () => {
  const p = policy(
    { name: "a", allow: ["*.example.org:443"], binaries: ["/usr/bin/curl"] },
    { name: "b", allow: ["x.test"] },
  );

  it("refuses an unlisted name before resolution", () => {
    const v = precheck(p, "exfil-data.attacker.test", 443, "/usr/bin/curl");
    assert.equal(v?.allowed, false);
  });

  it("refuses a listed name for the wrong executable before resolution", () => {
    assert.equal(precheck(p, "a.example.org", 443, "/usr/bin/python3")?.allowed, false);
  });

  it("lets a listed name be resolved", () => {
    assert.equal(precheck(p, "a.example.org", 443, "/usr/bin/curl"), null);
    assert.equal(precheck(p, "x.test", 1, null), null);
  });

  it("decides an IP literal outright", () => {
    assert.equal(precheck(p, "10.0.0.1", 443, null)?.allowed, false);
  });
});

describe("proxyEnv", () => {
  it("points every common variable at the proxy", () => {
    const env = proxyEnv(4242);
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "npm_config_proxy"]) {
      assert.equal(env[name], "http://127.0.0.1:4242", name);
    }
    assert.equal(env.npm_config_https_proxy, "http://127.0.0.1:4242");
    assert.equal(env.ALL_PROXY, "socks5h://127.0.0.1:4242");
    assert.equal(env.all_proxy, "socks5h://127.0.0.1:4242");
    assert.equal(env.NO_PROXY, "");
    assert.equal(env.no_proxy, "");
    assert.equal(env.NODE_USE_ENV_PROXY, "1");
    assert.equal(env.YARN_NO_PROXY, undefined, "Yarn 2+ rejects an unknown YARN_ setting");
  });

  it("refuses a port out of range", () => {
    assert.throws(() => proxyEnv(0), RangeError);
    assert.throws(() => proxyEnv(65536), RangeError);
  });
});
