import { Client } from '@elastic/elasticsearch';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { jetstream, jetstreamManager, type Shutdown } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  count,
  createLaneStream,
  deleteLane,
  idCensus,
  type Lane,
  lane,
  laneConfig,
  publishLines,
  startInProcess,
  waitForCount,
} from '../test/harness.ts';
import { ASSET_MAPPINGS, eventsIndex } from './layout.ts';

describe.skipIf(!stackUrls)(`ingest: stream to Elasticsearch${needsStack}`, () => {
  let nc: NatsConnection;
  let es: Client;
  let shutdown: Shutdown;
  const l: Lane = lane('ingest');
  const agent = 'web01';

  beforeAll(async () => {
    nc = await connect({ servers: stackUrls!.natsUrl });
    await createLaneStream(nc, l);
    es = new Client({ node: stackUrls!.elasticsearchUrl });
    // the asset registry knows web01 (written before ingest starts, which reads it then)
    await es.indices.create({ index: `${l.prefix}-assets`, mappings: ASSET_MAPPINGS as never });
    await es.index({
      index: `${l.prefix}-assets`,
      id: 'a1',
      refresh: true,
      document: {
        id: 'a1',
        hostnames: ['web01'],
        ips: ['10.20.1.10'],
        system: { id: 'portal', name: 'Cổng thông tin' },
        organization: { id: 'so-tttt', name: 'Sở TT&TT' },
        security_level: 3,
      },
    });
    const started = await startInProcess(
      nc,
      stackUrls!.elasticsearchUrl,
      laneConfig(l, { maxMessageBytes: 20_000 }),
    );
    shutdown = started.shutdown;
  });

  afterAll(async () => {
    await shutdown?.run('test end');
    await deleteLane(nc, es, l);
    await es.close();
    await nc?.close();
  });

  it('indexes every source into its day and retention index, searchable by the alias, within the mapping contract', async () => {
    const js = jetstream(nc);
    const lines = [
      'Mar 11 09:58:01 web01 sshd[2211]: Accepted password for alice from 10.20.1.15 port 51234 ssh2',
      '203.0.113.9 - - [11/Mar/2026:10:10:00 +0700] "GET /x HTTP/1.1" 404 153 "-" "curl/8"',
      'CEF:0|Fortinet|FortiGate|7.2|13|deny|5|src=203.0.113.50 dst=10.20.1.10 dpt=445',
      'plain text',
    ];
    await publishLines(js, l, agent, 1, lines.length, (s) => lines[s - 1]!);
    const alias = `${l.prefix}-events`;
    expect(await waitForCount(es, alias, lines.length, 20_000)).toBe(lines.length);
    const found = await es.search<Record<string, unknown>>({
      index: alias,
      query: { ids: { values: [`${agent}:1`] } },
    });
    const ssh = found.hits.hits[0]!;
    // web01 is a level-3 system: the 365-day indices, on the event's own day
    const day = Date.parse(String(ssh._source!['@timestamp']));
    expect(ssh._index).toBe(eventsIndex(l.prefix, 365, day));
    expect(ssh._source).toMatchObject({
      user: { name: 'alice' },
      source: { ip: '10.20.1.15', port: 51234 },
      soc: { asset: { known: true }, organization: { id: 'so-tttt' }, security_level: 3 },
    });
    const mapping = await es.indices.getFieldMapping({
      index: alias,
      fields: ['source.ip', 'source.port', 'soc.security_level', 'message'],
    });
    const m = Object.values(mapping)[0]!.mappings as Record<
      string,
      { mapping: Record<string, { type: string }> }
    >;
    expect(m['source.ip']!.mapping.ip!.type).toBe('ip');
    expect(m['source.port']!.mapping.port!.type).toBe('long');
    expect(m['soc.security_level']!.mapping.security_level!.type).toBe('byte');
    expect(m.message!.mapping.message!.type).toBe('keyword');
  });

  it('dead-letters invalid JSON, oversize and non-agent messages, and a document Elasticsearch refuses, with the reason and the original', async () => {
    const js = jetstream(nc);
    // a mapping conflict: this day's index already says `message` is a number
    const day = Date.UTC(2026, 0, 5);
    await es.indices.create({
      index: eventsIndex(l.prefix, 180, day),
      mappings: { properties: { message: { type: 'long' } } },
    });
    const refused = buildMessage('dev9', 'dev9', 'app', 1, {
      line: '2026-01-05T01:00:00Z dev9 app: not a number',
    });
    const subject = `${l.subjectPrefix}.dev9.app`;
    await js.publish(subject, JSON.stringify(refused));
    await js.publish(subject, '{"v":1, broken');
    await js.publish(subject, Buffer.from([0xff, 0x00, 0xfe]));
    await js.publish(
      subject,
      JSON.stringify(buildMessage('dev9', 'dev9', 'app', 2, { line: 'x'.repeat(30_000) })),
    );
    await js.publish(subject, JSON.stringify({ v: 1, agent: 'dev9', seq: 3 }));
    // an agent claiming another agent's id on its own subject
    await js.publish(subject, JSON.stringify(buildMessage('web01', 'web01', 'app', 1, { line: 'forged' })));
    const dl = `${l.prefix}-deadletter`;
    expect(await waitForCount(es, dl, 6, 20_000)).toBe(6);
    const res = await es.search<Record<string, unknown>>({
      index: dl,
      size: 10,
      sort: [{ 'nats.stream_seq': 'asc' }],
    });
    const docs = res.hits.hits.map((h) => h._source!);
    expect(docs.map((d) => d.reason)).toEqual([
      'rejected',
      'invalid_json',
      'invalid_json',
      'oversize',
      'invalid_message',
      'invalid_message',
    ]);
    expect(docs[0]).toMatchObject({
      message_id: 'dev9:1',
      error: { type: 'document_parsing_exception' },
      source: 'syslog',
    });
    expect((docs[0]!.document as { message: string }).message).toBe('not a number');
    expect(docs[1]!.original).toBe('{"v":1, broken');
    expect(docs[2]).toMatchObject({
      original: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      original_encoding: 'base64',
    });
    expect(docs[3]!.original_bytes).toBeGreaterThan(30_000);
    expect(docs[3]!.message_id).toBeUndefined();
    expect(docs[5]!.detail).toMatch(/does not match the subject/);
    // the forged message did not take web01:1's place
    expect(await count(es, `${l.prefix}-events`, { term: { message: 'forged' } })).toBe(0);
  });

  it('a message delivered twice (published again without the dedup header, and redelivered) is one document', async () => {
    const js = jetstream(nc);
    const before = await count(es, `${l.prefix}-events`);
    await publishLines(js, l, 'dup1', 1, 200, (s) => `dup line ${s}`);
    // same messages again, as after the dedup window: JetStream stores them twice
    await publishLines(js, l, 'dup1', 1, 200, (s) => `dup line ${s}`, { msgId: false });
    expect(await waitForCount(es, `${l.prefix}-events`, before + 200, 20_000)).toBe(before + 200);
    // everything delivered is acknowledged: nothing left for the consumer
    const jsm = await jetstreamManager(nc);
    let info = await jsm.consumers.info(l.stream, l.consumer);
    for (let i = 0; i < 40 && (info.num_pending > 0 || info.num_ack_pending > 0); i++) {
      await new Promise((r) => setTimeout(r, 250));
      info = await jsm.consumers.info(l.stream, l.consumer);
    }
    expect(info.num_pending + info.num_ack_pending).toBe(0);
    await es.indices.refresh({ index: `${l.prefix}-events` });
    expect(await count(es, `${l.prefix}-events`, { term: { 'agent.id': 'dup1' } })).toBe(200);
    expect(await idCensus(es, `${l.prefix}-events`)).toEqual({ distinct: before + 200, doubled: [] });
  });
});
