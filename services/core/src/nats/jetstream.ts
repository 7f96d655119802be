import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
export {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';

export type StreamSpec = Partial<StreamConfig> & Pick<StreamConfig, 'name' | 'subjects'>;
export type DurableSpec = Partial<ConsumerConfig> & { durable_name: string };

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.status === 404;
}

/**
 * Creates the stream or brings an existing one to the declared config, so every service can
 * call this at start-up and several copies of a service racing on it converge.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamInfo> {
  try {
    const current = await jsm.streams.info(spec.name);
    const wanted = { ...current.config, ...spec };
    if (JSON.stringify(wanted) === JSON.stringify(current.config)) return current;
    return await jsm.streams.update(spec.name, wanted);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      return await jsm.streams.add(spec);
    } catch (addErr) {
      // Lost a creation race with another copy of this service: the stream now exists.
      if (addErr instanceof JetStreamApiError) return await jsm.streams.info(spec.name);
      throw addErr;
    }
  }
}

/** A durable pull consumer with explicit acks: the only kind this product uses for work. */
export async function ensureDurable(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableSpec,
): Promise<ConsumerInfo> {
  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ...spec,
  };
  try {
    const current = await jsm.consumers.info(stream, spec.durable_name);
    const wanted = { ...current.config, ...config };
    if (JSON.stringify(wanted) === JSON.stringify(current.config)) return current;
    return await jsm.consumers.update(stream, spec.durable_name, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return await jsm.consumers.add(stream, config);
  }
}

export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc);
}
