/** DocText: backticked spans of a schema description show as code, and markup in it stays text. */
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DocText } from '../src/views/doc-text.tsx';

afterEach(cleanup);

describe('DocText', () => {
  it('shows backticked spans as code without the backticks', () => {
    const { container } = render(<p>{<DocText text="The `Server` certificate served when no `SNI` name matches." />}</p>);
    expect(container.textContent).toBe('The Server certificate served when no SNI name matches.');
    expect([...container.querySelectorAll('code')].map((c) => c.textContent)).toEqual(['Server', 'SNI']);
  });

  it('leaves a text with an unpaired backtick as it is', () => {
    const { container } = render(<p>{<DocText text="a ` b" />}</p>);
    expect(container.textContent).toBe('a ` b');
    expect(container.querySelector('code')).toBeNull();
  });

  it('renders markup as text', () => {
    const { container } = render(<p>{<DocText text="`<img src=x onerror=alert(1)>` and <b>bold</b>" />}</p>);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> and <b>bold</b>');
  });
});
