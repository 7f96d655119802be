import { z } from 'zod';

/** Peels wrappers (default, optional, pipe…) off a schema to reach the one that holds keys. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 20; i++) {
    if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
  return s;
}

/**
 * Dotted paths of `given` that the schema has no key for. Decided from the schema alone, so
 * unknown keys are reported together with invalid values, not after them. Records, unions
 * and passthrough objects accept any key below them.
 */
export function unknownKeys(schema: z.ZodType, given: unknown, prefix = ''): string[] {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodObject) || typeof given !== 'object' || given === null || Array.isArray(given))
    return [];
  const shape = s.shape as Record<string, z.ZodType>;
  const open = s.def.catchall !== undefined && !(s.def.catchall instanceof z.ZodNever);
  const found: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const child = shape[key];
    if (child) found.push(...unknownKeys(child, value, path));
    else if (!open) found.push(path);
  }
  return found;
}
