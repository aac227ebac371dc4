import * as path from "path";
import { localStateInitArgs, s3StateFor, stateFileFor, stateLocation } from "../../config/state";

describe("stateFileFor", () => {
  it.each([
    [{ FLY_K3S_STATE_DIR: "/s" }, "/s/fly/prod/terraform.tfstate"],
    [{ FLY_K3S_STATE_DIR: "/s", FLY_K3S_TARGET: "local" }, "/s/local/prod/terraform.tfstate"],
    [{ XDG_STATE_HOME: "/x" }, "/x/fly-k3s/fly/prod/terraform.tfstate"],
  ])("%j -> %s", (env, file) => {
    expect(stateFileFor("prod", env)).toBe(file);
  });

  it("defaults to ~/.local/state/fly-k3s", () => {
    expect(stateFileFor("prod", {})).toMatch(
      new RegExp(
        `${path.sep}\\.local${path.sep}state${path.sep}fly-k3s${path.sep}fly${path.sep}prod${path.sep}terraform\\.tfstate$`,
      ),
    );
  });
});

describe("s3StateFor", () => {
  it("keeps the state in local files when no bucket is named", () => {
    expect(s3StateFor("prod", {})).toBeUndefined();
    expect(s3StateFor("prod", { FLY_K3S_STATE_BUCKET: "" })).toBeUndefined();
  });

  it.each([
    [
      "AWS S3: no endpoint, us-east-1 unless told",
      { FLY_K3S_STATE_BUCKET: "state" },
      { bucket: "state", key: "fly/prod/terraform.tfstate", region: "us-east-1" },
    ],
    [
      "Tigris: an endpoint, region auto",
      { FLY_K3S_STATE_BUCKET: "state", FLY_K3S_STATE_ENDPOINT: "https://fly.storage.tigris.dev/" },
      {
        bucket: "state",
        key: "fly/prod/terraform.tfstate",
        region: "auto",
        endpoint: "https://fly.storage.tigris.dev",
      },
    ],
    [
      "the local emulator's state has its own key; the region is as given",
      {
        FLY_K3S_STATE_BUCKET: "fly-k3s.state",
        FLY_K3S_STATE_ENDPOINT: "http://127.0.0.1:7070",
        FLY_K3S_STATE_REGION: "us-east-1",
        FLY_K3S_TARGET: "local",
      },
      {
        bucket: "fly-k3s.state",
        key: "local/prod/terraform.tfstate",
        region: "us-east-1",
        endpoint: "http://127.0.0.1:7070",
      },
    ],
    [
      "empty variables (unset repository variables in CI) are defaults",
      { FLY_K3S_STATE_BUCKET: "state", FLY_K3S_STATE_ENDPOINT: "", FLY_K3S_STATE_REGION: "" },
      { bucket: "state", key: "fly/prod/terraform.tfstate", region: "us-east-1" },
    ],
  ])("%s", (_, env, expected) => {
    expect(s3StateFor("prod", env)).toEqual(expected);
  });

  it("never reads the credentials", () => {
    const env = {
      FLY_K3S_STATE_BUCKET: "state",
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake/secret",
    };
    const text = JSON.stringify(s3StateFor("prod", env));
    expect(text).not.toContain("AKIAFAKEFAKEFAKE");
    expect(text).not.toContain("fake/secret");
  });

  it.each([
    [
      { FLY_K3S_STATE_ENDPOINT: "https://fly.storage.tigris.dev" },
      'FLY_K3S_STATE_ENDPOINT is set (got "https://fly.storage.tigris.dev") but FLY_K3S_STATE_BUCKET is not: set FLY_K3S_STATE_BUCKET=<bucket> to keep the state in S3, or unset FLY_K3S_STATE_ENDPOINT to keep it in local files',
    ],
    [
      { FLY_K3S_STATE_REGION: "auto" },
      'FLY_K3S_STATE_REGION is set (got "auto") but FLY_K3S_STATE_BUCKET is not: set FLY_K3S_STATE_BUCKET=<bucket> to keep the state in S3, or unset FLY_K3S_STATE_REGION to keep it in local files',
    ],
    [
      { FLY_K3S_STATE_BUCKET: "My_Bucket" },
      'FLY_K3S_STATE_BUCKET: not an S3 bucket name (got "My_Bucket"); use 3-63 lowercase letters, digits, dots and hyphens, e.g. FLY_K3S_STATE_BUCKET=fly-k3s-state',
    ],
    [
      { FLY_K3S_STATE_BUCKET: "a..b" },
      'FLY_K3S_STATE_BUCKET: not an S3 bucket name (got "a..b"); use 3-63 lowercase letters, digits, dots and hyphens, e.g. FLY_K3S_STATE_BUCKET=fly-k3s-state',
    ],
    [
      { FLY_K3S_STATE_BUCKET: "state", FLY_K3S_STATE_ENDPOINT: "fly.storage.tigris.dev" },
      'FLY_K3S_STATE_ENDPOINT: not an endpoint URL (got "fly.storage.tigris.dev"); give the scheme and host only, e.g. FLY_K3S_STATE_ENDPOINT=https://fly.storage.tigris.dev',
    ],
    [
      { FLY_K3S_STATE_BUCKET: "state", FLY_K3S_STATE_ENDPOINT: "https://host/state" },
      'FLY_K3S_STATE_ENDPOINT: not an endpoint URL (got "https://host/state"); give the scheme and host only, e.g. FLY_K3S_STATE_ENDPOINT=https://fly.storage.tigris.dev',
    ],
  ])("refuses %j", (env, message) => {
    expect(() => s3StateFor("prod", env)).toThrow(new Error(message));
  });
});

describe("localStateInitArgs", () => {
  it("gives tofu init the state file of this machine, target and cluster", () => {
    expect(
      localStateInitArgs("prod", { FLY_K3S_STATE_DIR: "/s", FLY_K3S_TARGET: "local" }),
    ).toEqual(["-backend-config=path=/s/local/prod/terraform.tfstate"]);
  });
});

describe("stateLocation", () => {
  it("names the file or the object", () => {
    expect(stateLocation("prod", { FLY_K3S_STATE_DIR: "/s" })).toBe(
      "/s/fly/prod/terraform.tfstate",
    );
    expect(
      stateLocation("prod", {
        FLY_K3S_STATE_BUCKET: "state",
        FLY_K3S_STATE_ENDPOINT: "https://fly.storage.tigris.dev",
      }),
    ).toBe("s3://state/fly/prod/terraform.tfstate at https://fly.storage.tigris.dev");
  });
});
