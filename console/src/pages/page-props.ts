/** PageProps are what every signed-in page gets: the token, and what to do when the API stops accepting it. */
import type { ApiError } from '../api.ts';

export interface PageProps {
  token: string;
  onUnauthenticated: (error: ApiError) => void;
}
