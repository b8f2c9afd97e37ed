// Types of the wa-mock helper. Answers are the admin API's JSON, as
// `GET /__admin/openapi.json` describes them; the interfaces below name the fields tests read most.

type Json = Record<string, any>;

/** The Graph version in `Sandbox.graphUrl`: the newest the mock serves. */
export const DEFAULT_GRAPH_VERSION: "v25.0";

export interface ClockState {
  mode: "manual" | "realtime";
  now: string;
  unix: number;
  pending_jobs: number;
}

export type MessageStatus = "accepted" | "sent" | "delivered" | "read" | "failed";

export interface StatusRecord {
  status: MessageStatus;
  at: string;
  /** For `failed`: the catalogue key of the reason. */
  error?: string;
}

export interface Message {
  id: string;
  phone_number_id: string;
  waba_id: string;
  endpoint: "marketing_messages" | "messages";
  input: string;
  wa_id: string;
  type: string;
  template?: { name: string; language: string; category: string };
  route: "marketing_messages" | "cloud_api";
  pricing_category: string;
  creative_features: string[];
  message_activity_sharing?: boolean;
  ttl_seconds: number;
  biz_opaque_callback_data?: string;
  conversation_id: string;
  created_at: string;
  statuses: StatusRecord[];
  /** The user's link clicks, oldest first; absent when there are none. */
  clicks?: LinkClick[];
}

export interface LinkClick {
  message_id: string;
  component: "cta" | "body";
  button_text?: string;
  click_id: string;
  tracking_token: string;
  at: string;
}

export interface Attempt {
  delivery_id: number;
  attempt: number;
  at: string;
  url: string;
  field: string;
  message_ids: string[];
  status: number | null;
  latency_ms: number;
  error: string | null;
  outcome: "delivered" | "retrying" | "expired" | "failed";
  next_attempt_at: string | null;
  duplicate_of: number | null;
  signature: string;
  body: Json;
}

export interface Waba {
  id: string;
  business_id: string;
  name: string;
  marketing_messages_onboarding_status: string;
  msc: boolean;
  disable_marketing_messages_on_cloud_api: boolean;
  message_activity_sharing: boolean;
}

export interface Template {
  id: string;
  waba_id: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: string;
  created_at: string;
  synced_at: string;
  last_mm_send: string | null;
  components: Json[];
  parameter_format: "POSITIONAL" | "NAMED";
  message_send_ttl_seconds?: number;
  rejected_reason?: string;
}

export interface State {
  token: string;
  businesses: { id: string; name: string; onboarding_status: string }[];
  wabas: Waba[];
  phone_numbers: { id: string; waba_id: string; display_phone_number: string }[];
  templates: Template[];
}

export type Behaviour =
  | "default"
  | "undeliverable"
  | "ecosystem_limited"
  | "stopped_marketing"
  | "offline"
  | "never_read";

export interface Profile {
  behaviour: Behaviour;
  name: string;
  delivered_after_seconds: number;
  read_after_seconds: number;
}

export interface Recipient {
  /** Digits, when the business knows the user's phone number. */
  phone?: string;
  /** The business-scoped user id. */
  user_id: string;
  parent_user_id?: string;
  profile: Profile;
  marketing_opted_out: boolean;
  /** RFC 3339; null if the user never wrote. */
  customer_service_window_until: string | null;
}

export type FaultAction =
  | { type: "latency"; millis: number }
  | { type: "error"; error: string }
  | { type: "drop" };

export interface Fault {
  path: string | null;
  phone: string | null;
  count: number | null;
  action: FaultAction;
}

export interface Chaos {
  duplicate?: number;
  reorder?: number;
  reorder_delay_seconds?: number;
  batch?: number;
}

/** A non-2xx answer, in Graph's error envelope. */
export class WaMockError extends Error {
  method: string;
  url: string;
  status: number;
  body: any;
  /** `error.code` of the envelope. */
  code?: number;
  /** `error.error_data.details`: what was expected and what arrived. */
  details?: string;
}

export interface StartOptions {
  /** Flags after `--listen 127.0.0.1:0`; default `["--clock", "manual"]`. */
  args?: string[];
  /** The binary; default `findBinary()`. */
  binary?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface SandboxOptions {
  /** Where the sandbox's clock starts (RFC 3339). */
  clockStart?: string;
  webhookUrl?: string;
  appSecret?: string;
  webhookVersion?: string;
  chaos?: Chaos;
}

/** A wa-mock server: one this process started, or one running elsewhere. */
export class WaMock {
  readonly url: string;
  static attach(url: string): WaMock;
  static start(options?: StartOptions): Promise<WaMock>;
  /** Stops a server this process started (an attached one keeps running). */
  stop(): Promise<void>;
  health(): Promise<{ status: "ok" }>;
  waitHealthy(options?: { timeoutMs?: number }): Promise<{ status: "ok" }>;
  openapi(): Promise<Json>;
  memory(): Promise<{ budget_bytes: number; used_bytes: number; sandboxes: number; counted: Record<"worlds" | "journal" | "messages" | "events" | "inbound" | "recipients" | "faults" | "jobs" | "media" | "deliveries", number> }>;
  sandbox(options?: SandboxOptions): Promise<Sandbox>;
  defaultSandbox(token?: string): Promise<Sandbox>;
}

/** One sandbox: its token, the ids of its world, and the admin API on it. */
export class Sandbox {
  readonly url: string;
  readonly token: string;
  /** The world as it was made (`getState()` for now). */
  readonly state: State;
  /** The onboarded WABA (marketing goes through the MM API). */
  readonly wabaId: string;
  readonly businessId: string;
  /** The onboarded WABA's phone number. */
  readonly phoneNumberId: string;
  /** The Graph base URL to give the client under test: `{url}/v25.0`. */
  readonly graphUrl: string;
  template(name: string, language?: string): Template;
  getState(): Promise<State>;
  reset(): Promise<State>;
  /** `GET /__admin/snapshot`: the sandbox as one versioned document (`app_secret` only with `secrets`). */
  exportSnapshot(options?: { secrets?: boolean }): Promise<Json>;
  /** `POST /__admin/snapshot`: takes a snapshot's state; its pending work carries on. */
  restore(snapshot: Json): Promise<State>;
  clock(): Promise<ClockState>;
  advance(seconds: number): Promise<ClockState>;
  delete(): Promise<void>;
  messages(): Promise<Message[]>;
  message(wamid: string): Promise<Message>;
  requests(): Promise<Json[]>;
  events(): Promise<Json[]>;
  deliveries(filter?: { messageId?: string; field?: string }): Promise<Attempt[]>;
  waitForDelivery(options?: {
    messageId?: string;
    field?: string;
    outcome?: Attempt["outcome"] | null;
    count?: number;
    timeoutMs?: number;
  }): Promise<Attempt[]>;
  webhooks(): Promise<Json>;
  setWebhooks(settings: Omit<SandboxOptions, "clockStart">): Promise<Json>;
  recipients(): Promise<Recipient[]>;
  setRecipient(phone: string, profile?: Partial<Profile>): Promise<Recipient>;
  inbound(message: {
    from: string;
    text?: string;
    button?: { text: string; payload?: string; context_message_id?: string };
    name?: string;
    phoneNumberId?: string;
  }): Promise<string>;
  click(click: {
    from: string;
    messageId: string;
    component?: "cta" | "body";
    phoneNumberId?: string;
  }): Promise<LinkClick>;
  faults(): Promise<{ data: Fault[]; throughput: { messages_per_second: number | null } }>;
  addFault(
    action: FaultAction,
    match?: { path?: string | null; phone?: string | null; count?: number | null },
  ): Promise<Fault>;
  failWith(
    error: string,
    match?: { path?: string | null; phone?: string | null; count?: number | null },
  ): Promise<Fault>;
  clearFaults(): Promise<void>;
  setThroughput(messagesPerSecond: number | null): Promise<{ messages_per_second: number | null }>;
  /** `GET /__admin/marketing_limit`. */
  marketingLimit(): Promise<{ per_user_per_24h: number | null }>;
  /** `PUT /__admin/marketing_limit`: `null` turns the limit off. */
  setMarketingLimit(perUserPer24h: number | null): Promise<{ per_user_per_24h: number | null }>;
  setTemplateStatus(
    templateId: string,
    status: string,
    reason?: string,
  ): Promise<{ id: string; status: string }>;
  patchWaba(
    wabaId: string,
    flags: Partial<Omit<Waba, "id" | "business_id" | "name">> & { degrees_of_freedom_spec?: Json },
  ): Promise<Waba>;
}

/**
 * The binary of the platform package that npm installed through `optionalDependencies`
 * (`@wa-mock/wa-mock-linux-x64` and the others), or undefined when there is none for this
 * platform.
 */
export function packagedBinary(): string | undefined;

/**
 * The `wa-mock` binary that `WaMock.start()` runs: `binary`, else WA_MOCK_BIN, else the one of
 * the installed platform package, else `wa-mock` on PATH.
 */
export function findBinary(binary?: string): string;

/** The `X-Hub-Signature-256` value for `body` signed with `appSecret`. */
export function sign(appSecret: string | Buffer, body: string | Buffer): string;

/** Whether `header` signs exactly `body` (the raw bytes received). */
export function verifySignature(
  appSecret: string | Buffer,
  body: string | Buffer,
  header: string | undefined | null,
): boolean;

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  signature: string | undefined;
  json(): any;
}

/** An HTTP server on a free loopback port that records each POST. */
export class WebhookReceiver {
  static start(options?: { status?: number }): Promise<WebhookReceiver>;
  /** What it answers; set it to test the mock's retries. */
  status: number;
  readonly received: ReceivedWebhook[];
  /** Where to point the mock's webhooks. */
  readonly url: string;
  wait(
    count?: number,
    options?: { timeoutMs?: number; where?: (w: ReceivedWebhook) => boolean },
  ): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}
