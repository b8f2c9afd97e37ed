// A Testcontainers module: wa-mock's image started for a test, answering health.
//
//   import { WaMockContainer } from "wa-mock/testcontainers";
//   const container = await new WaMockContainer().withSeed(7).start();
//   const sandbox = await container.getDefaultSandbox(); // its token and ids
//   clientUnderTest({ baseUrl: container.getGraphUrl(), token: sandbox.token });
//
// Needs `testcontainers` (a peer dependency). The image is pinned to this package's version;
// the clock is manual, as WaMock.start()'s.

import { createServer } from "node:net";
import { createRequire } from "node:module";

import { AbstractStartedContainer, GenericContainer, Wait } from "testcontainers";

import { DEFAULT_GRAPH_VERSION, WaMock } from "./index.js";

const { version } = createRequire(import.meta.url)("./package.json");

/** The image the release of this package published. */
export const DEFAULT_IMAGE = `ghcr.io/wa-mock/wa-mock:${version}`;
/** The port the server listens on inside the container. */
export const PORT = 8089;
/** Where `withWorld()` puts the world file in the container. */
export const WORLD_PATH = "/wa-mock/world.toml";

/** A free loopback port, for a container on the host's network. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * wa-mock in a container, started when its HEALTHCHECK (the binary's `healthcheck`) turns
 * healthy. Each `with…` sets the server's WA_MOCK_* variable and returns the container.
 */
export class WaMockContainer extends GenericContainer {
  constructor(image = DEFAULT_IMAGE) {
    super(image);
    this.hostNetwork = false;
    this.withEnvironment({ WA_MOCK_CLOCK: "manual" }).withWaitStrategy(Wait.forHealthCheck());
  }

  /** Serves the world file at `path` (`--config`) instead of the default world. */
  withWorld(path) {
    return this.withCopyFilesToContainer([{ source: path, target: WORLD_PATH, mode: 0o644 }])
      .withEnvironment({ WA_MOCK_CONFIG: WORLD_PATH });
  }

  /** Seeds the id and token streams (`--seed`): the same seed, the same ids. */
  withSeed(seed) {
    return this.withEnvironment({ WA_MOCK_SEED: String(seed) });
  }

  /**
   * Sends the default sandbox's webhooks to `url` (`--webhook-url`), signed with `appSecret`
   * when given (`--app-secret`). The URL is dialled from the container.
   */
  withWebhookUrl(url, appSecret) {
    this.withEnvironment({ WA_MOCK_WEBHOOK_URL: url });
    return appSecret ? this.withEnvironment({ WA_MOCK_APP_SECRET: appSecret }) : this;
  }

  /**
   * Runs on the host's network (Linux), listening on a free loopback port, for Docker daemons
   * without a bridge network; webhooks then reach the host at 127.0.0.1.
   */
  withHostNetwork() {
    this.hostNetwork = true;
    return this.withNetworkMode("host");
  }

  /** Starts the container and waits for it to be healthy. */
  async start() {
    let url;
    if (this.hostNetwork) {
      const port = await freePort();
      this.withEnvironment({ WA_MOCK_LISTEN: `127.0.0.1:${port}` });
      url = `http://127.0.0.1:${port}`;
    } else {
      this.withExposedPorts(PORT);
    }
    const started = await super.start();
    return new StartedWaMockContainer(
      started,
      url ?? `http://${started.getHost()}:${started.getMappedPort(PORT)}`,
    );
  }
}

/** A started WaMockContainer: its URLs, the admin client and the default sandbox. */
export class StartedWaMockContainer extends AbstractStartedContainer {
  constructor(started, url) {
    super(started);
    this.url = url;
  }

  /** The server's base URL as seen from the host: `http://host:port`. */
  getUrl() {
    return this.url;
  }

  /** The Graph base URL to give the client under test: `{url}/v25.0`. */
  getGraphUrl(graphVersion = DEFAULT_GRAPH_VERSION) {
    return `${this.url}/${graphVersion}`;
  }

  /** The admin client (`WaMock`) attached to this container. */
  getClient() {
    return WaMock.attach(this.url);
  }

  /**
   * The sandbox the server starts with: its token, business, WABA and phone number ids (those
   * of the world file when `withWorld()` gave one).
   */
  getDefaultSandbox() {
    return this.getClient().defaultSandbox();
  }
}
