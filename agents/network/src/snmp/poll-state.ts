/** One interface as a poll saw it. */
export interface InterfaceReading {
  index: number;
  name?: string;
  operStatus: string;
  inErrors?: number;
}

/** A successful poll, or undefined for a device that did not answer. */
export interface Reading {
  sysUpTime: number;
  interfaces: InterfaceReading[];
}

export type PollStatus = 'up' | 'down' | 'changed';

/** What the poller ships after a poll, or nothing when the device is as it was. */
export interface PollVerdict {
  status: PollStatus;
  reasons: string[];
}

/**
 * Decides, from the previous and the new reading of one device, whether the poll is news:
 * the first answer and every up/down transition always are; while up, an interface changing
 * its operational status, new input errors, or sysUpTime going back (a reboot) are
 * `changed`. A steady device produces nothing, so polling many devices does not flood the
 * stream (the heartbeat already says the agent is alive).
 */
export class DeviceState {
  private last: Reading | undefined | null = null; // null: never polled

  next(reading: Reading | undefined): PollVerdict | undefined {
    const prev = this.last;
    this.last = reading;
    if (!reading) {
      if (prev === undefined) return undefined;
      return { status: 'down', reasons: [prev === null ? 'no answer at first poll' : 'stopped answering'] };
    }
    if (prev === null) return { status: 'up', reasons: ['first poll'] };
    if (prev === undefined) return { status: 'up', reasons: ['answering again'] };
    const reasons: string[] = [];
    if (reading.sysUpTime < prev.sysUpTime) reasons.push('sysUpTime went back: restarted');
    const before = new Map(prev.interfaces.map((i) => [i.index, i]));
    for (const i of reading.interfaces) {
      const b = before.get(i.index);
      const label = i.name ?? `ifIndex ${i.index}`;
      if (!b) {
        reasons.push(`${label}: new interface`);
        continue;
      }
      if (b.operStatus !== i.operStatus) reasons.push(`${label}: ${b.operStatus} → ${i.operStatus}`);
      if (i.inErrors !== undefined && b.inErrors !== undefined && i.inErrors > b.inErrors)
        reasons.push(`${label}: ${i.inErrors - b.inErrors} new input errors`);
    }
    return reasons.length ? { status: 'changed', reasons } : undefined;
  }
}
