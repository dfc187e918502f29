// GET /v1/models and GET /v1/models/{id} on the wire.

export interface WireModel {
  id: string;
  object: "model";
  /** Unix seconds; when this server started serving it. */
  created: number;
  owned_by: "inferql";
  /**
   * vLLM's: the most tokens one request holds, prompt and answer (a slot's context); clients size
   * their prompts by it. Absent for a remote model whose upstream did not say.
   */
  max_model_len?: number;
  /** Not in OpenAI's API: what llama-server reports about a model, in inferql's terms. */
  meta: {
    n_ctx: number;
    n_ctx_train: number;
    n_embd: number;
    size: number;
    chat_template: string;
    /** How chats are rendered and read: the chat wrapper, Jinja or wrapper rendering, native or generic tool calls. */
    chat_format: {
      wrapper: string;
      renderer: "jinja" | "wrapper";
      tool_call_format: "native" | "generic";
      reasoning_markers: { open: string; close: string } | null;
    };
    lora_adapters: string[];
    /** Other names requests may select this model by (--model-alias); GET /v1/models/{alias} answers this model. */
    aliases: string[];
  };
}

export interface ModelList {
  object: "list";
  data: WireModel[];
}
