import { isObject } from '../../doc.ts';
import { ParseError, type Parser } from '../../types.ts';
import { winlogToEcs } from './ecs.ts';
import { fromEvtx, fromWinlogbeat } from './record.ts';

/** Windows event log records: EVTX rendered as JSON, or winlogbeat-shaped JSON. */
export const windowsParser: Parser = {
  id: 'windows',
  sniff: ({ event }) =>
    event !== undefined &&
    ((isObject(event.Event) && isObject(event.Event.System)) || isObject(event.winlog)),
  parse(input) {
    const event = input.event;
    if (!event) throw new ParseError('a Windows record must be shipped as JSON');
    const record = fromEvtx(event) ?? fromWinlogbeat(event);
    if (!record) throw new ParseError('neither Event.System nor winlog in the record');
    if (!record.channel && !record.eventId)
      throw new ParseError('Windows record without channel and event id');
    const doc = winlogToEcs(record);
    // winlogbeat-style input may carry its own message: keep it as ECS does.
    if (typeof event.message === 'string') doc.message = event.message;
    return doc;
  },
};
