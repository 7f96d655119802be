export { type NetworkAgent, runNetworkAgent, startNetworkAgent, VERSION } from './agent.ts';
export * from './config.ts';
export { SyslogListener, type SyslogStats } from './syslog/listener.ts';
