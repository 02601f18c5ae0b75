/** ProblemMessage shows an API refusal as the API worded it: its code, title and detail. */
import type { ApiError } from './api.ts';

/** ProblemMessage renders one ApiError as an alert. */
export function ProblemMessage({ error, id }: { error: ApiError; id?: string }) {
  return (
    <div class="problem" role="alert" id={id}>
      <strong class="problem-code">{error.code}</strong> <span class="problem-title">{error.title}</span>
      {error.detail !== undefined && <p class="problem-detail">{error.detail}</p>}
    </div>
  );
}
