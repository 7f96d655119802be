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
