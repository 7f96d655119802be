import { describe, expect, it } from 'vitest';
import { DeviceState, type Reading } from './poll-state.ts';

const up = (sysUpTime: number, oper = 'up', inErrors = 0): Reading => ({
  sysUpTime,
  interfaces: [{ index: 1, name: 'eth0', operStatus: oper, inErrors }],
});

describe('device state between polls', () => {
  it('first answer is up; steady polls are silent; silence is down once; an answer again is up', () => {
    const s = new DeviceState();
    expect(s.next(up(100))?.status).toBe('up');
    expect(s.next(up(200))).toBeUndefined();
    expect(s.next(undefined)).toEqual({ status: 'down', reasons: ['stopped answering'] });
    expect(s.next(undefined)).toBeUndefined();
    expect(s.next(up(300))).toEqual({ status: 'up', reasons: ['answering again'] });
  });

  it('a device that never answered is down at the first poll', () => {
    expect(new DeviceState().next(undefined)?.status).toBe('down');
  });

  it('changed: interface status, new input errors, a restart', () => {
    const s = new DeviceState();
    s.next(up(100));
    expect(s.next(up(200, 'down'))).toEqual({ status: 'changed', reasons: ['eth0: up → down'] });
    expect(s.next(up(300, 'down', 5))?.reasons).toEqual(['eth0: 5 new input errors']);
    expect(s.next(up(10, 'down', 5))?.reasons).toEqual(['sysUpTime went back: restarted']);
  });
});
