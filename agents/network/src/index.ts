export {
  type NetworkAgent,
  type NetworkInput,
  runNetworkAgent,
  startNetworkAgent,
  VERSION,
} from './agent.ts';
export * from './config.ts';
export { type PollStats, SnmpPoller } from './snmp/poller.ts';
export { TrapReceiver, type TrapStats } from './snmp/receiver.ts';
export { trapEvent } from './snmp/trap.ts';
export { SyslogListener, type SyslogStats } from './syslog/listener.ts';
