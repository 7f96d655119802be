type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where later layers win; arrays and scalars are replaced, not merged. */
export function mergeLayers(...layers: Plain[]): Plain {
  const out: Plain = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const prev = out[key];
      out[key] = isPlain(prev) && isPlain(value) ? mergeLayers(prev, value) : value;
    }
  }
  return out;
}

/** Dotted paths present in `given` but absent from `known` — keys nobody will ever read. */
export function unknownKeys(given: unknown, known: unknown, prefix = ''): string[] {
  if (!isPlain(given) || !isPlain(known)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in known)) found.push(path);
    else found.push(...unknownKeys(value, known[key], path));
  }
  return found;
}
