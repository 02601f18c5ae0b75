/**
 * The provider's private data (terraform/resources/private-data.ts): what a plan or an apply
 * writes reads back the same; bytes that are not ours (another provider's, a hand-edited state)
 * read as none, never as a wrong id.
 */
import { describe, expect, it } from 'vitest';
import { readPrivate, writePrivate } from '../../terraform/resources/private-data.ts';

describe('private data', () => {
  it('round-trips the id a replacement deletes first and the mark of a listener left not Running', () => {
    expect(readPrivate(writePrivate({ replacing: 'lsn-abc' }))).toEqual({ replacing: 'lsn-abc' });
    expect(readPrivate(writePrivate({ unready: true }))).toEqual({ unready: true });
    expect(readPrivate(writePrivate({ replacing: 'lsn-abc', unready: true }))).toEqual({ replacing: 'lsn-abc', unready: true });
  });

  it('nothing to keep is empty bytes, and empty bytes are none', () => {
    expect(writePrivate({})).toHaveLength(0);
    expect(readPrivate(Buffer.alloc(0))).toEqual({});
    expect(readPrivate(undefined)).toEqual({});
  });

  it('bytes that are not ours read as none, and fields of the wrong type are dropped', () => {
    expect(readPrivate(Buffer.from('not json'))).toEqual({});
    expect(readPrivate(Buffer.from('"lsn-abc"'))).toEqual({});
    expect(readPrivate(Buffer.from('null'))).toEqual({});
    expect(readPrivate(Buffer.from(JSON.stringify({ replacing: 42, unready: 'yes', other: 1 })))).toEqual({});
    expect(readPrivate(Buffer.from(JSON.stringify({ replacing: 'lsn-x', unready: 'yes' })))).toEqual({ replacing: 'lsn-x' });
  });
});
