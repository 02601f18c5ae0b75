/** Status of a listener or QUIC listener: the status, the reason of a Failed one, and each node's when a cluster runs several. */

/** NodeStatus is a listener's status on one node of a cluster. */
interface NodeStatus {
  readonly node: string;
  readonly status: string;
  readonly statusReason?: string | undefined;
}

/** StatusView shows a status with its reason and, with several nodes, each node's status. */
export function StatusView(props: { status: string; statusReason?: string | undefined; nodes?: readonly NodeStatus[] | undefined }) {
  const nodes = props.nodes ?? [];
  return (
    <>
      <span class={`status status-${props.status.toLowerCase()}`}>{props.status}</span>
      {props.statusReason ? <div class="sub reason">{props.statusReason}</div> : null}
      {nodes.length > 1 && (
        <ul class="nodes" aria-label="Status on each node">
          {nodes.map((n) => (
            <li key={n.node}>
              <span class="node-name">{n.node}</span>: <span class={`status status-${n.status.toLowerCase()}`}>{n.status}</span>
              {n.statusReason ? <span class="sub reason"> {n.statusReason}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
