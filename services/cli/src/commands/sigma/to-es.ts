import { EXIT } from '../../usage.ts';

/** `soc sigma to-es --pipeline ecs RULE`: prints the Elasticsearch query of a rule. */
export async function toEs(_argv: string[]): Promise<number> {
  console.error('soc sigma to-es: not implemented yet');
  return EXIT.failure;
}
