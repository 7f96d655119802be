import { describe, expect, it } from 'vitest';
import { fieldExists, fieldValues } from '../event/access.ts';
import { accessor } from './accessor.ts';

const events: unknown[] = [
  {
    Event: { System: { Channel: 'Security', EventID: { '#text': 4688, '#attributes': { Qualifiers: 0 } } } },
  },
  {
    'Event.System': { Channel: 'flat-mid' },
    Event: { 'System.Channel': 'flat-tail', System: { Channel: 'nested' } },
  },
  { 'Event.System.Channel': 'flat', Event: [{ System: { Channel: ['a', 'b'] } }, { System: null }, 7] },
  { Event: { System: { Channel: null, Empty: {} } } },
  { process: { executable: 'x', parent: { executable: 'p' } }, 'process.parent': { executable: 'q' } },
  { 'a..b': 1, a: { '': { b: 2 } } },
  null,
  'text',
  [{ Event: { System: { Channel: 'in-array' } } }],
];
const paths = [
  'Event.System.Channel',
  'Event.System.EventID',
  'Event.System.EventID.#text',
  'Event.System.Empty',
  'Event',
  'process.parent.executable',
  'process.executable',
  'a..b',
  'missing.path',
];

describe('accessor', () => {
  it('finds exactly what fieldValues and fieldExists find, in the same order', () => {
    for (const event of events) {
      for (const path of paths) {
        const out: unknown[] = [];
        accessor(path).values(event, out);
        expect(out, `${path} in ${JSON.stringify(event)}`).toEqual(fieldValues(event, path));
        expect(accessor(path).exists(event), `${path} exists in ${JSON.stringify(event)}`).toBe(
          fieldExists(event, path),
        );
      }
    }
  });

  it('reads every key at a `*` segment, and never joins `*` into a dotted key', () => {
    const event = {
      Event: {
        UserData: { Operation_ClientFailure: { Operation: 'op1', User: 'u' }, Other: { Operation: ['op2'] } },
        'UserData.*': { Operation: 'not a wildcard' },
      },
    };
    const values = (path: string) => {
      const out: unknown[] = [];
      accessor(path).values(event, out);
      return out;
    };
    expect(values('Event.UserData.*.Operation')).toEqual(['op1', 'op2']);
    expect(values('Event.UserData.*')).toEqual([
      event.Event.UserData.Operation_ClientFailure,
      event.Event.UserData.Other,
    ]);
    expect(values('Event.*.Other.Operation')).toEqual(['op2']);
    expect(values('Event.UserData.*.Missing')).toEqual([]);
    expect(accessor('Event.UserData.*.User').exists(event)).toBe(true);
    expect(accessor('Event.UserData.*.Missing').exists(event)).toBe(false);
    expect(accessor('Event.EventData.*.X').exists(event)).toBe(false);
  });

  it('is compiled once per path', () => {
    expect(accessor('x.y')).toBe(accessor('x.y'));
  });
});
