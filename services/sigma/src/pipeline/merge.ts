/**
 * Several pipelines as one (`soc sigma eval --pipeline windows --pipeline ecs`): a stream may
 * hold raw Windows events and ECS documents side by side, and each event is routed by
 * whichever pipeline's sources it satisfies. Every source keeps the field names of the
 * pipeline it came from: that pipeline's global renames and prefixes are folded into the
 * source, so the merged pipeline needs no globals of its own. Source conditions already
 * hold resolved event paths, so they carry over unchanged.
 */
import type { Pipeline, PipelineSource } from './types.ts';

export function mergePipelines(pipelines: readonly Pipeline[]): Pipeline {
  if (pipelines.length === 1) return pipelines[0]!;
  const sources: PipelineSource[] = [];
  for (const p of pipelines) {
    for (const s of p.sources) {
      sources.push({
        ...s,
        id: sources.length,
        name: `${p.name}/${s.name}`,
        // The source's own renames win over its pipeline's, as they do inside one pipeline.
        fields: new Map([...p.fields, ...s.fields]),
        fieldPrefixes: s.fieldPrefixes ?? p.fieldPrefixes,
      });
    }
  }
  return {
    name: pipelines.map((p) => p.name).join('+'),
    description: pipelines.map((p) => p.description).join(' + '),
    file: pipelines.map((p) => p.file).join(', '),
    timeFields: [...new Set(pipelines.flatMap((p) => p.timeFields))],
    fieldPrefixes: [],
    fields: new Map(),
    sources,
    // Keywords are scanned once per event, whatever its sources: the union.
    keywordExclude: [...new Set(pipelines.flatMap((p) => p.keywordExclude ?? []))],
  };
}
