/**
 * @module sim/errors — vLLM's error bodies: nested `{"error":{message,type,param,code}}` since v0.10.1
 * (`current`), flat `{"object":"error",…}` with `param:null` up to v0.10.0 (`legacy`). See vllm.md §4.
 */
export type Compat = 'current' | 'legacy';

/** An error the simulator answers with; `status` is also `code` in the body. */
export class SimError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  constructor(status: number, type: string, message: string, param: string | null = null) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
  }
}

export function errorPayload(compat: Compat, err: SimError): Record<string, unknown> {
  if (compat === 'legacy') {
    return { object: 'error', message: err.message, type: err.type, param: null, code: err.status };
  }
  return { error: { message: err.message, type: err.type, param: err.param, code: err.status } };
}

export function unknownModel(model: string): SimError {
  return new SimError(404, 'NotFoundError', `The model \`${model}\` does not exist.`, 'model');
}

/** A vLLM `VLLMValidationError`/`ValueError`: 400 BadRequestError. */
export function badRequest(message: string, param: string | null = null): SimError {
  return new SimError(400, 'BadRequestError', message, param);
}

/**
 * A request-validation failure (FastAPI `RequestValidationError`): vLLM renders `str(exc)`, with type
 * "Bad Request" in current builds and "BadRequestError" in old ones.
 */
export function validationError(compat: Compat, detail: string, loc: string[] | null): SimError {
  const type = compat === 'legacy' ? 'BadRequestError' : 'Bad Request';
  return new SimError(400, type, `1 validation error:\n  ${detail}`, loc ? loc.join('.') : null);
}

export function missingField(compat: Compat, field: string): SimError {
  return validationError(
    compat,
    `{'type': 'missing', 'loc': ('body', '${field}'), 'msg': 'Field required', 'input': None}`,
    ['body', field],
  );
}

export function wrongType(compat: Compat, field: string, expected: string): SimError {
  return validationError(
    compat,
    `{'type': '${expected}_type', 'loc': ('body', '${field}'), 'msg': 'Input should be a valid ${expected}'}`,
    ['body', field],
  );
}
