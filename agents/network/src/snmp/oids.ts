/**
 * The few OIDs the agent names itself: the standard traps (RFC 3418 / SNMPv2-MIB, IF-MIB) and
 * the objects that come with them. Anything else keeps its numeric OID; naming the rest of
 * the world's MIBs is the normaliser's or the analyst's business, not the agent's.
 */
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
export const SNMP_TRAP_ENTERPRISE = '1.3.6.1.6.3.1.1.4.3.0';
export const IF_DESCR = '1.3.6.1.2.1.2.2.1.2';
export const IF_OPER_STATUS = '1.3.6.1.2.1.2.2.1.8';
export const IF_IN_ERRORS = '1.3.6.1.2.1.2.2.1.14';

const STANDARD_TRAPS = [
  'coldStart',
  'warmStart',
  'linkDown',
  'linkUp',
  'authenticationFailure',
  'egpNeighborLoss',
];

/** SNMPv2 trap OID of a standard trap: snmpTraps.(generic + 1) (RFC 3584, section 3.1). */
export function standardTrapOid(generic: number): string {
  return `1.3.6.1.6.3.1.1.5.${generic + 1}`;
}

const NAMES = new Map<string, string>([
  ...STANDARD_TRAPS.map((n, i) => [standardTrapOid(i), n] as [string, string]),
  [SYS_UPTIME, 'sysUpTime.0'],
  [SNMP_TRAP_OID, 'snmpTrapOID.0'],
  [SNMP_TRAP_ENTERPRISE, 'snmpTrapEnterprise.0'],
  ['1.3.6.1.2.1.2.2.1.1', 'ifIndex'],
  [IF_DESCR, 'ifDescr'],
  ['1.3.6.1.2.1.2.2.1.7', 'ifAdminStatus'],
  [IF_OPER_STATUS, 'ifOperStatus'],
  [IF_IN_ERRORS, 'ifInErrors'],
  ['1.3.6.1.2.1.31.1.1.1.1', 'ifName'],
]);

/** `linkDown`, `ifOperStatus.3`, or undefined for an OID the agent does not know. */
export function oidName(oid: string): string | undefined {
  const exact = NAMES.get(oid);
  if (exact) return exact;
  // A table column with its row index: ifOperStatus.3.
  const dot = oid.lastIndexOf('.');
  const column = dot > 0 ? NAMES.get(oid.slice(0, dot)) : undefined;
  return column ? `${column}.${oid.slice(dot + 1)}` : undefined;
}

/** ifOperStatus values (IF-MIB). */
export const OPER_STATUS: Record<number, string> = {
  1: 'up',
  2: 'down',
  3: 'testing',
  4: 'unknown',
  5: 'dormant',
  6: 'notPresent',
  7: 'lowerLayerDown',
};
