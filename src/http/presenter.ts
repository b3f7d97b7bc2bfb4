/**
 * @module http/presenter — how a generation answer is written for the client. The request path (plan, cache,
 * retrieval, upstream) always produces an OpenAI chat/text completion — JSON, or SSE chunk payloads with
 * citations and annotations attached; a presenter renders that for its API surface. Chat and text
 * completions send it as it is (`completionPresenter`); the Responses API renders response objects and its
 * own event stream from the same answer, so adapters, strategies, limits and the cache apply unchanged.
 */

type Json = Record<string, unknown>;

export interface StreamPresenter {
  /** SSE text to send before the first event (may be empty). */
  start(): string;
  /** One completion chunk payload (JSON text, as the client of chat completions would get it) → SSE text. */
  event(payload: string): string;
  /**
   * The end of the stream: `complete` with `[DONE]` from upstream, or broken off with `error`. `upstreamDone`:
   * vLLM itself ended the stream (`[DONE]`), after an error event it sent when `complete` is false — that
   * event already went through `event()`.
   */
  end(result: StreamEnd): string;
}

export interface StreamEnd {
  complete: boolean;
  error: string | null;
  upstreamDone: boolean;
}

export interface Presenter {
  /** The id the client sees for this answer when the presenter makes its own (the Responses API's `resp_…`). */
  readonly responseId?: string;
  /**
   * The body of a non-streamed answer, from the completion JSON (citations and annotations attached); `text` is
   * that JSON as vLLM sent it when the gateway changed nothing (no second stringify on the hot path).
   */
  json(completion: Json, text?: string): string;
  /** `json(completion, text)` is `text` itself (a cache hit then sends its stored text without parsing it). */
  readonly passesTextThrough?: boolean;
  stream(): StreamPresenter;
}

/** A stream that breaks off ends with an SSE error event and `[DONE]`, as vLLM does. */
export function streamError(message: string): Json {
  return {
    error: {
      message: `The stream was interrupted: ${message}`,
      type: 'server_error',
      param: null,
      code: 'upstream_error',
    },
  };
}

export const completionPresenter: Presenter = {
  json: (completion, text) => text ?? JSON.stringify(completion),
  passesTextThrough: true,
  stream: () => ({
    start: () => '',
    event: (payload) => `data: ${payload}\n\n`,
    end: ({ complete, error, upstreamDone }) =>
      complete || upstreamDone
        ? 'data: [DONE]\n\n'
        : `data: ${JSON.stringify(streamError(error ?? 'unknown'))}\n\ndata: [DONE]\n\n`,
  }),
};
