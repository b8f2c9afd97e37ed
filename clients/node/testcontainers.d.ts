// Types of testcontainers.js: wa-mock's image as a Testcontainers module.

import { AbstractStartedContainer, GenericContainer, StartedTestContainer } from "testcontainers";

import { Sandbox, WaMock } from "./index.js";

/** The image the release of this package published. */
export const DEFAULT_IMAGE: string;
/** The port the server listens on inside the container. */
export const PORT: 8089;
/** Where `withWorld()` puts the world file in the container. */
export const WORLD_PATH: "/wa-mock/world.toml";

/** wa-mock in a container, started when its HEALTHCHECK turns healthy. */
export class WaMockContainer extends GenericContainer {
  constructor(image?: string);
  /** Serves the world file at `path` (`--config`) instead of the default world. */
  withWorld(path: string): this;
  /** Seeds the id and token streams (`--seed`): the same seed, the same ids. */
  withSeed(seed: number): this;
  /** Sends the default sandbox's webhooks to `url`, signed with `appSecret` when given. */
  withWebhookUrl(url: string, appSecret?: string): this;
  /** Runs on the host's network, listening on a free loopback port. */
  withHostNetwork(): this;
  /** Starts the container and waits for it to be healthy. */
  start(): Promise<StartedWaMockContainer>;
}

/** A started WaMockContainer: its URLs, the admin client and the default sandbox. */
export class StartedWaMockContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer, url: string);
  /** The server's base URL as seen from the host: `http://host:port`. */
  getUrl(): string;
  /** The Graph base URL to give the client under test: `{url}/v25.0`. */
  getGraphUrl(graphVersion?: string): string;
  /** The admin client attached to this container. */
  getClient(): WaMock;
  /** The sandbox the server starts with: its token and ids. */
  getDefaultSandbox(): Promise<Sandbox>;
}
