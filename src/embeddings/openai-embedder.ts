/**
 * @module embeddings/openai-embedder — any OpenAI-compatible `POST /v1/embeddings` (vLLM pooling models, TEI,
 * OpenAI) over undici, in batches of `batch_size`, each batch bounded by `timeout_ms`. Every vector's length
 * is checked against the configured (or first seen) dimension, so a model swap cannot slip in silently.
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { EmbeddingsConfig } from '../config/rag-section.ts';
import type { Embedder } from './types.ts';

type OpenAIEmbeddingsConfig = Extract<EmbeddingsConfig, { kind: 'openai' }>;

export class EmbedderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbedderError';
  }
}

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: unknown }[];
}

export function createOpenAIEmbedder(config: OpenAIEmbeddingsConfig, dispatcher?: Dispatcher): Embedder {
  const agent = dispatcher ?? new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const base = config.url.replace(/\/+$/, '');
  const url = base.endsWith('/v1') ? `${base}/embeddings` : `${base}/v1/embeddings`;
  let dimensions = config.dimensions;

  async function embedBatch(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const timeout = AbortSignal.timeout(config.timeout_ms);
    const body: Record<string, unknown> = { model: config.model, input: texts, encoding_format: 'float' };
    if (config.dimensions) body.dimensions = config.dimensions;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          ...(config.api_key ? { authorization: `Bearer ${config.api_key}` } : {}),
        },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new EmbedderError(`embeddings endpoint ${url} unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new EmbedderError(`embeddings endpoint ${url} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    }
    const parsed = JSON.parse(text) as EmbeddingsResponse;
    const data = [...(parsed.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    if (data.length !== texts.length) {
      throw new EmbedderError(`embeddings endpoint returned ${data.length} vectors for ${texts.length} inputs`);
    }
    return data.map((d) => {
      const v = d.embedding;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
        throw new EmbedderError('embeddings endpoint returned a non-float embedding (base64 is not requested)');
      }
      dimensions ??= v.length;
      if (v.length !== dimensions) {
        throw new EmbedderError(
          `embedding dimension ${v.length} differs from the expected ${dimensions} (model ${config.model})`,
        );
      }
      return v as number[];
    });
  }

  return {
    model: config.model,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, signal) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += config.batch_size) {
        out.push(...(await embedBatch(texts.slice(i, i + config.batch_size), signal)));
      }
      return out;
    },
  };
}
