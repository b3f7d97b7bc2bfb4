/**
 * @module errors/gateway-error — the one error class every stage throws; the HTTP layer renders it as
 * OpenAI's envelope `{"error":{"message","type","param","code"}}` with the status from the code table.
 */
import { type ErrorCode, errorCodes, type OpenAIErrorType } from './codes.ts';

export interface GatewayErrorOptions {
  param?: string | null;
  /** Headers the response must carry (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** Overrides the table's status (used when passing through an upstream status). */
  status?: number;
  type?: OpenAIErrorType;
  /** Overrides the table's `retryable` (e.g. a 429 that can never pass: `x-should-retry: false`). */
  retryable?: boolean;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause });
    const info = errorCodes[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? info.status;
    this.type = options.type ?? info.type;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.retryable = options.retryable ?? info.retryable;
  }

  toJSON(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's exact wording, used for unknown models and for models of another tenant alike. */
export function modelNotFound(model: string): GatewayError {
  return new GatewayError('model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, {
    param: 'model',
  });
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
