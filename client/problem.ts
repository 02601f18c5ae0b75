/**
 * The one reading of a management API answer: a success is JSON (or empty), an error is a
 * problem+json body (SPEC §3) whose registry code becomes a GatehouseError with the code, the
 * detail and the field errors; anything else is not the API's answer (API_OFF_CONTRACT).
 */
import { GatehouseError, isErrorCode, type ApiCall, type FieldError } from '../schema/errors.ts';
import { ApiClientError, type OffContractAnswer } from './client-error.ts';

/** ANSWER_TEXT_MAX_CHARS bounds the text of an off-contract answer kept for messages: a proxy's error page can be large. */
export const ANSWER_TEXT_MAX_CHARS = 2000;

/** JSON_MEDIA_TYPE matches `application/json` and `application/<anything>+json`, parameters allowed. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** Answer is one HTTP answer as read off the wire. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/**
 * readAnswer returns the parsed body of a success (null when empty) or throws the error the
 * answer means: a GatehouseError for a registry code, else an ApiClientError API_OFF_CONTRACT.
 */
export function readAnswer(endpoint: string, call: ApiCall, answer: Answer): unknown {
  const { status, contentType, text } = answer;
  if (status >= 200 && status < 300) {
    if (text === '') return null;
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
      throw offContract(endpoint, call, answer, { defect: `the body is ${contentType === undefined ? 'of no declared type' : contentType}, not JSON` });
    }
    try {
      return JSON.parse(text);
    } catch {
      throw offContract(endpoint, call, answer, { defect: 'the body is not valid JSON' });
    }
  }
  if (status < 400) throw offContract(endpoint, call, answer, { defect: 'a status the API never answers with' });
  const problem = parseObject(text);
  if (problem && isErrorCode(problem.code)) {
    const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : problem.code;
    throw new GatehouseError(problem.code, detail, fieldErrors(problem.errors), { call });
  }
  throw offContract(endpoint, call, answer, {
    problemCode: problem && typeof problem.code === 'string' ? problem.code : undefined,
    problemDetail: problem && typeof problem.detail === 'string' ? problem.detail : undefined,
  });
}

function offContract(endpoint: string, call: ApiCall, answer: Answer, facts: Omit<OffContractAnswer, 'status' | 'text'>): ApiClientError {
  const text = answer.text.length > ANSWER_TEXT_MAX_CHARS ? `${answer.text.slice(0, ANSWER_TEXT_MAX_CHARS)}…` : answer.text;
  return new ApiClientError({ code: 'API_OFF_CONTRACT', endpoint, call, answer: { status: answer.status, text, ...facts } });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** fieldErrors reads `errors[]`: each entry's path and message, and its code when it is a registry code. */
function fieldErrors(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      path: typeof e.path === 'string' ? e.path : '',
      message: typeof e.message === 'string' ? e.message : '',
      ...(isErrorCode(e.code) ? { code: e.code } : {}),
    }));
}
