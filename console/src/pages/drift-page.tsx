/** DriftPage (`#/drift`): a Pulumi stack export compared with the live configuration. */
import { DriftView } from '../drift/drift-view.tsx';
import type { PageProps } from './page-props.ts';

/** DriftPage shows the drift view. */
export function DriftPage({ token, onUnauthenticated }: PageProps) {
  return <DriftView token={token} onUnauthenticated={onUnauthenticated} />;
}
