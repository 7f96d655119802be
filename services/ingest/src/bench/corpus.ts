import { type AgentMessage, buildMessage } from '@soc/agent-shared';

/**
 * Realistic traffic for the benchmark: the mix a provincial SOC sees from Linux servers, web
 * servers, Windows endpoints (Sysmon) and the IDS, with varying hosts, users and addresses.
 */
export function benchMessages(n: number, agent = 'bench'): AgentMessage[] {
  const out: AgentMessage[] = [];
  const observed = new Date();
  for (let seq = 1; seq <= n; seq++) {
    const h = seq % 97;
    const ip = `10.${20 + (seq % 8)}.${(seq >> 3) % 250}.${(seq % 250) + 1}`;
    const kind = seq % 4;
    let body: { line?: string; event?: Record<string, unknown> };
    if (kind === 0)
      body = {
        line: `Nov 25 09:${String(seq % 60).padStart(2, '0')}:01 srv${h} sshd[${1000 + h}]: Failed password for user${seq % 50} from ${ip} port ${1024 + (seq % 60000)} ssh2`,
      };
    else if (kind === 1)
      body = {
        line: `${ip} - - [25/Nov/2026:09:10:${String(seq % 60).padStart(2, '0')} +0700] "GET /portal/page${seq % 500}?id=${seq} HTTP/1.1" ${seq % 7 ? 200 : 404} ${seq % 9000} "https://portal.example.gov.vn/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"`,
      };
    else if (kind === 2)
      body = {
        event: {
          '@timestamp': observed.toISOString(),
          winlog: {
            channel: 'Microsoft-Windows-Sysmon/Operational',
            event_id: '1',
            provider_name: 'Microsoft-Windows-Sysmon',
            computer_name: `ws${h}.corp.local`,
            event_data: {
              Image: 'C:\\Windows\\System32\\cmd.exe',
              CommandLine: `cmd.exe /c echo ${seq} > C:\\Temp\\out${seq % 10}.txt`,
              ParentImage: 'C:\\Windows\\explorer.exe',
              ProcessId: String(4000 + (seq % 3000)),
              User: `CORP\\user${seq % 50}`,
              Hashes:
                'SHA256=A80CB394D251F781DBD5FFB889D38FDD2095ADE63110578CA62F62CF795B7538,IMPHASH=3D4392A18BB23C56D311A2D64B6E5BA0',
            },
          },
        },
      };
    else
      body = {
        event: {
          timestamp: observed.toISOString(),
          flow_id: seq,
          event_type: 'dns',
          src_ip: ip,
          src_port: 50000 + (seq % 10000),
          dest_ip: '10.20.0.2',
          dest_port: 53,
          proto: 'UDP',
          dns: { type: 'query', id: seq % 65535, rrname: `host${seq % 1000}.example.gov.vn`, rrtype: 'A' },
        },
      };
    out.push(
      buildMessage(agent, `collector${h % 4}`, kind < 2 ? 'logs' : 'json', seq, { observed, ...body }),
    );
  }
  return out;
}
