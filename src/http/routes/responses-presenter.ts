/**
 * @module http/routes/responses-presenter — the Responses API's presenter (http/presenter.ts): the request
 * path produced a chat completion (JSON, or SSE chunk payloads with citations and annotations attached);
 * this renders it as a Response object or the Responses event stream. `onDone` receives the final Response
 * of an answer that finished (completed or incomplete) — never of one that failed — so the route can store it.
 */

import { responseEventStream } from '../../responses/event-stream.ts';
import { type ResponseContext, responseFromChat } from '../../responses/from-chat.ts';
import type { Presenter } from '../presenter.ts';

type Json = Record<string, any>;

export function responsesPresenter(ctx: ResponseContext, onDone: (response: Json) => void): Presenter {
  return {
    responseId: ctx.id,
    json(completion) {
      const response = responseFromChat(ctx, completion as Json);
      onDone(response);
      return JSON.stringify(response);
    },
    stream() {
      const events = responseEventStream(ctx);
      return {
        start: () => events.start(),
        event: (payload) => events.chunk(payload),
        end({ complete, error }) {
          const out = events.end(complete ? null : (error ?? 'the model server ended the stream with an error'));
          const final = events.final();
          if (complete && final) onDone(final);
          return out;
        },
      };
    },
  };
}
