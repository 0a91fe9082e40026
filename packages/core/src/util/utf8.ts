/**
 * UTF-8 through the platform's TextEncoder/TextDecoder, which Node ≥ 11 and every
 * browser have as globals. Core compiles without DOM or Node types, so they are reached
 * through a typed view of `globalThis` and created on first use, not at module load.
 */
interface Codecs {
  TextDecoder: new () => { decode(bytes: Uint8Array): string };
  TextEncoder: new () => { encode(text: string): Uint8Array };
}

let decoder: { decode(bytes: Uint8Array): string } | undefined;
let encoder: { encode(text: string): Uint8Array } | undefined;

/** Decodes UTF-8 bytes to a string. */
export function utf8Decode(bytes: Uint8Array): string {
  decoder ??= new (globalThis as unknown as Codecs).TextDecoder();
  return decoder.decode(bytes);
}

/** Encodes a string as UTF-8 bytes. */
export function utf8Encode(text: string): Uint8Array {
  encoder ??= new (globalThis as unknown as Codecs).TextEncoder();
  return encoder.encode(text);
}
