import { createHash, randomBytes } from "node:crypto";

/** Fly machine ids are 14 lowercase hex characters, e.g. "3d8d9e9ec53e89". */
export function machineId(): string {
  return randomBytes(7).toString("hex");
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomString(n: number, alphabet: string): string {
  const bytes = randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** Volume ids look like "vol_ez1nvxkwjyzy8g7y" (prefix + 16 lowercase alphanumerics). */
export function volumeId(): string {
  return `vol_${randomString(16, ALNUM)}`;
}

export function appId(): string {
  return randomString(14, ALNUM);
}

/** Lease nonces are opaque; Fly's are 12-hex-char strings. */
export function nonce(): string {
  return randomBytes(6).toString("hex");
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID (48-bit ms timestamp + 80 random bits, Crockford base32), as Fly's instance ids. */
export function ulid(now: number = Date.now()): string {
  let ts = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    ts = CROCKFORD[t % 32] + ts;
    t = Math.floor(t / 32);
  }
  return ts + randomString(16, CROCKFORD);
}

const ADJECTIVES = [
  "aged",
  "ancient",
  "autumn",
  "billowing",
  "bitter",
  "black",
  "blue",
  "bold",
  "broken",
  "cold",
  "cool",
  "crimson",
  "damp",
  "dark",
  "dawn",
  "delicate",
  "divine",
  "dry",
  "empty",
  "falling",
  "floral",
  "fragrant",
  "frosty",
  "green",
  "hidden",
  "holy",
  "icy",
  "late",
  "lingering",
  "little",
  "lively",
  "long",
  "misty",
  "morning",
  "muddy",
  "nameless",
  "old",
  "patient",
  "polished",
  "proud",
  "purple",
  "quiet",
  "red",
  "restless",
  "rough",
  "shy",
  "silent",
  "small",
  "snowy",
  "solitary",
  "sparkling",
  "spring",
  "still",
  "summer",
  "throbbing",
  "twilight",
  "wandering",
  "weathered",
  "white",
  "wild",
  "winter",
  "wispy",
  "withered",
  "young",
];
const NOUNS = [
  "bird",
  "breeze",
  "brook",
  "bush",
  "butterfly",
  "cherry",
  "cloud",
  "darkness",
  "dawn",
  "dew",
  "dream",
  "dust",
  "field",
  "fire",
  "flower",
  "fog",
  "forest",
  "frog",
  "frost",
  "glade",
  "glitter",
  "grass",
  "haze",
  "hill",
  "lake",
  "leaf",
  "meadow",
  "moon",
  "morning",
  "mountain",
  "night",
  "paper",
  "pine",
  "pond",
  "rain",
  "resonance",
  "river",
  "sea",
  "shadow",
  "shape",
  "silence",
  "sky",
  "smoke",
  "snow",
  "snowflake",
  "sound",
  "star",
  "sun",
  "sunset",
  "surf",
  "thunder",
  "tree",
  "violet",
  "voice",
  "water",
  "waterfall",
  "wave",
  "wildflower",
  "wind",
  "wood",
];

/** A generated machine name like Fly's, e.g. "aged-wind-2649". */
export function machineName(): string {
  const b = randomBytes(4);
  const num = 1000 + (b.readUInt16BE(2) % 9000);
  return `${ADJECTIVES[b[0] % ADJECTIVES.length]}-${NOUNS[b[1] % NOUNS.length]}-${num}`;
}

/** The zone ids of a region: stable 4-hex-char strings, `count` of them. */
export function regionZones(region: string, count: number): string[] {
  const zones: string[] = [];
  for (let i = 0; zones.length < count; i++) {
    const z = createHash("sha256").update(`${region}/${i}`).digest("hex").slice(0, 4);
    if (!zones.includes(z)) zones.push(z);
  }
  return zones;
}

/** RFC3339 with milliseconds, as Fly's volume `created_at`: 2023-11-27T21:47:06.837Z. */
export function rfc3339Ms(ms: number = Date.now()): string {
  return new Date(ms).toISOString();
}

/** RFC3339 with whole seconds, as Fly's machine timestamps: 2023-10-31T02:30:10Z. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
