// What `--upstream` configures: a model served by one or more OpenAI-compatible replicas.

/**
 * How to speak to the replicas beyond the OpenAI fields: "llama" (llama-server, another inferql:
 * `grammar`, `top_k`, `min_p`, `repeat_penalty`, `cache_prompt`, `reasoning_format`), "vllm"
 * (`guided_grammar`, `top_k`, `min_p`, `repetition_penalty`), "openai" (the OpenAI fields only).
 */
export type UpstreamKind = "openai" | "llama" | "vllm";

export interface UpstreamSpec {
  /** The model id clients select it by. */
  id: string;
  /** Base URLs of the replicas (`http://host:port`; a trailing `/v1` is allowed). */
  replicas: readonly string[];
  /** The model name the replicas know it by; default `id`. */
  model?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Requests one replica runs at once; more wait in the scheduler's queue. */
  slots: number;
  kind: UpstreamKind;
  /** A replica that sends nothing for this long (before the first token, or between chunks) has hung. */
  timeoutMs: number;
  /** How often replicas are probed (GET /health, else GET /v1/models); an ejected one is restored when it answers. */
  healthIntervalMs: number;
}
