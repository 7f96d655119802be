import { ObjectType, PduType } from 'net-snmp';
import { oidName, SNMP_TRAP_OID, SYS_UPTIME, standardTrapOid } from './oids.ts';

/** A varbind as net-snmp decodes it. */
export interface RawVarbind {
  oid: string;
  type: number;
  value: unknown;
}

/** The part of net-snmp's notification the agent reads (its types declare `any`). */
export interface RawNotification {
  pdu: {
    type: number;
    varbinds: RawVarbind[];
    /** Set on SNMPv3 (scoped PDU) messages. */
    scoped?: boolean;
    /** SNMPv1 trap fields. */
    enterprise?: string;
    agentAddr?: string;
    generic?: number;
    specific?: number;
    upTime?: number;
  };
  rinfo: { address: string; port: number };
}

const GENERIC_ENTERPRISE_SPECIFIC = 6;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isText(b: Buffer): boolean {
  for (const c of b) if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** A varbind's value as text a JSON reader keeps exactly (OCTET STRINGs that are not text in hex). */
export function varbindValue(v: RawVarbind): string | number | null {
  const value = v.value;
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) {
    if (v.type === ObjectType.Counter64) return BigInt(`0x${value.toString('hex') || '0'}`).toString();
    // Printable UTF-8 stays text (ifDescr, messages); anything else (MAC addresses, keys) is hex.
    return isText(value) ? value.toString('utf8') : value.toString('hex');
  }
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A received trap or inform in the shape @soc/normalize's SNMP parser reads (see its README).
 * The community or v3 user is never part of it: the agent does not ship credentials.
 */
export function trapEvent(n: RawNotification, now: Date = new Date()): Record<string, unknown> {
  const { pdu, rinfo } = n;
  const varbinds = (pdu.varbinds ?? []).map((v) => {
    const name = oidName(v.oid);
    return {
      oid: v.oid,
      ...(name ? { name } : {}),
      type: ObjectType[v.type] ?? String(v.type),
      value: varbindValue(v),
    };
  });
  const event: Record<string, unknown> = {
    type: 'snmp.trap',
    version: pdu.type === PduType.Trap ? '1' : pdu.scoped ? '3' : '2c',
    time: now.toISOString(),
    source: { ip: rinfo.address, port: rinfo.port },
  };
  if (pdu.type === PduType.InformRequest) event.inform = true;
  if (pdu.type === PduType.Trap) {
    // SNMPv1: the generic-trap number names the standard traps; 6 is the enterprise's own.
    const generic = pdu.generic ?? GENERIC_ENTERPRISE_SPECIFIC;
    const oid =
      generic === GENERIC_ENTERPRISE_SPECIFIC
        ? `${pdu.enterprise}.0.${pdu.specific}`
        : standardTrapOid(generic);
    event.trap = { oid, ...(oidName(oid) ? { name: oidName(oid) } : {}) };
    event.enterprise = pdu.enterprise;
    event.uptime = pdu.upTime;
    if (pdu.agentAddr && pdu.agentAddr !== rinfo.address) event.agentAddress = pdu.agentAddr;
  } else {
    const trapOid = pdu.varbinds?.find((v) => v.oid === SNMP_TRAP_OID)?.value;
    const oid = typeof trapOid === 'string' ? trapOid : undefined;
    event.trap = oid ? { oid, ...(oidName(oid) ? { name: oidName(oid) } : {}) } : {};
    const up = pdu.varbinds?.find((v) => v.oid === SYS_UPTIME)?.value;
    if (typeof up === 'number') event.uptime = up;
  }
  event.varbinds = varbinds;
  return event;
}
