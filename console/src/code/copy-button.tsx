/** CopyButton copies a text to the clipboard and says whether it could. */
import { useState } from 'preact/hooks';

/** CopyButton is a button that copies `text` (navigator.clipboard), with a polite status after it. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('Could not copy: select the text and copy it.');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span class="copy-status" role="status">
        {said}
      </span>
    </span>
  );
}
