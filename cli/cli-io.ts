/** CliIo is where a command writes its output and its errors (tests capture them). */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}
