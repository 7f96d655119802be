import { EXIT } from '../../usage.ts';

/** `soc sigma bench`: events/s, compile time and peak memory of the engine. */
export async function bench(_argv: string[]): Promise<number> {
  console.error('soc sigma bench: not implemented yet');
  return EXIT.failure;
}
