/**
 * SecretBox seals private keys with AES-256-GCM before they reach SQLite. Each value gets a
 * fresh 96-bit nonce; the resource id is bound as additional data, so a ciphertext copied onto
 * another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT_V1 = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** SecretBox encrypts and decrypts small secrets under one master key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = Buffer.from(key);
  }

  /** seal encrypts `plaintext` bound to `context`: format byte, nonce, tag, ciphertext. */
  seal(plaintext: string, context: string): Uint8Array {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_V1), nonce, cipher.getAuthTag(), body]);
  }

  /** open decrypts what seal produced for the same context; a wrong key or context throws. */
  open(sealed: Uint8Array, context: string): string {
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) {
      throw new Error('sealed secret has an unknown format');
    }
    const nonce = data.subarray(1, 1 + NONCE_BYTES);
    const tag = data.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
