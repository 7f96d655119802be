import { add, categorize, type EcsDoc, int, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';
import { iso, parseIso } from '../../time.ts';
import type { WinRecord } from './record.ts';

/**
 * A Windows record as ECS, the way rules/pipelines/ecs.yml reads it: `winlog.*` with the data
 * kept under `winlog.event_data.<Name>` as the event log names it, plus the ECS fields with a
 * Sigma equivalent (Sysmon `Image` → `process.executable`, `TargetObject` → `registry.path`…).
 */

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const LEVELS: Record<string, string> = {
  '1': 'critical',
  '2': 'error',
  '3': 'warning',
  '4': 'information',
  '5': 'verbose',
  '0': 'information',
};

const useful = (v: string | undefined) => (v === undefined || v === '' || v === '-' ? undefined : v);

function baseName(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1) || undefined;
}

/** `SHA1=…,MD5=…,SHA256=…,IMPHASH=…` → `<prefix>.hash.*` and `<prefix>.pe.imphash`. */
function hashes(doc: EcsDoc, prefix: string, value: string | undefined): void {
  if (!value) return;
  for (const part of value.split(',')) {
    const [alg, hex] = part.split('=');
    if (!alg || !hex) continue;
    const a = alg.trim().toLowerCase();
    const h = hex.trim().toLowerCase();
    if (a === 'imphash') put(doc, `${prefix}.pe.imphash`, h);
    else if (['md5', 'sha1', 'sha256', 'sha384', 'sha512'].includes(a)) put(doc, `${prefix}.hash.${a}`, h);
  }
}

/** `DOMAIN\name` → user.domain, user.name. */
function user(doc: EcsDoc, prefix: string, value: string | undefined): void {
  const v = useful(value);
  if (!v) return;
  const i = v.indexOf('\\');
  put(doc, `${prefix}.name`, i >= 0 ? v.slice(i + 1) : v);
  if (i > 0) put(doc, `${prefix}.domain`, v.slice(0, i));
  add(doc, 'related.user', i >= 0 ? v.slice(i + 1) : v);
}

function pid(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // The Security log writes process ids in hex (`0x1a2b`).
  if (/^0x[0-9a-f]+$/i.test(value)) return Number.parseInt(value.slice(2), 16);
  return int(value);
}

function processFields(
  doc: EcsDoc,
  prefix: string,
  d: Record<string, string>,
  keys: { image: string; cmd?: string; pid?: string; guid?: string },
) {
  const image = useful(d[keys.image]);
  put(doc, `${prefix}.executable`, image);
  put(doc, `${prefix}.name`, baseName(image));
  if (keys.cmd) put(doc, `${prefix}.command_line`, useful(d[keys.cmd]));
  if (keys.pid) put(doc, `${prefix}.pid`, pid(d[keys.pid]));
  if (keys.guid) put(doc, `${prefix}.entity_id`, useful(d[keys.guid]));
}

function filePath(doc: EcsDoc, prefix: string, path: string | undefined): void {
  const p = useful(path);
  if (!p) return;
  put(doc, `${prefix}.path`, p);
  const name = baseName(p);
  put(doc, `${prefix}.name`, name);
  const dir = p.slice(0, Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')));
  put(doc, `${prefix}.directory`, dir || undefined);
  const ext = name ? /\.([A-Za-z0-9]{1,16})$/.exec(name) : null;
  put(doc, `${prefix}.extension`, ext?.[1]?.toLowerCase());
}

function signature(doc: EcsDoc, prefix: string, d: Record<string, string>): void {
  const signed = d.Signed?.toLowerCase();
  if (signed === 'true' || signed === 'false') put(doc, `${prefix}.code_signature.signed`, signed === 'true');
  put(doc, `${prefix}.code_signature.subject_name`, useful(d.Signature));
  put(doc, `${prefix}.code_signature.status`, useful(d.SignatureStatus));
}

function pe(doc: EcsDoc, prefix: string, d: Record<string, string>): void {
  put(doc, `${prefix}.pe.original_file_name`, useful(d.OriginalFileName));
  put(doc, `${prefix}.pe.description`, useful(d.Description));
  put(doc, `${prefix}.pe.product`, useful(d.Product));
  put(doc, `${prefix}.pe.company`, useful(d.Company));
  put(doc, `${prefix}.pe.file_version`, useful(d.FileVersion));
}

function registry(doc: EcsDoc, target: string | undefined): void {
  const path = useful(target);
  if (!path) return;
  put(doc, 'registry.path', path);
  const hive = /^(HKLM|HKU|HKCU|HKCR|HKCC|\\REGISTRY\\MACHINE|\\REGISTRY\\USER)\\?/i.exec(path);
  put(doc, 'registry.hive', hive?.[1]?.toUpperCase());
  const rest = hive ? path.slice(hive[0].length) : path;
  const last = rest.lastIndexOf('\\');
  put(doc, 'registry.key', last > 0 ? rest.slice(0, last) : rest);
  put(doc, 'registry.value', last > 0 ? rest.slice(last + 1) : undefined);
}

/** Sysmon 22's `type:  5 host;::ffff:1.2.3.4;` answers. */
function dnsAnswers(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(';')
    .map((s) => s.trim().replace(/^type:\s*\d+\s*/, ''))
    .map((s) => canonicalIp(s) ?? s)
    .filter((s) => s && s !== '-');
}

function sysmon(doc: EcsDoc, id: number, d: Record<string, string>): void {
  const image = { image: 'Image', pid: 'ProcessId', guid: 'ProcessGuid' };
  user(doc, 'user', d.User);
  switch (id) {
    case 1:
      categorize(doc, { category: 'process', type: 'start', action: 'process-created' });
      processFields(doc, 'process', d, { ...image, cmd: 'CommandLine' });
      put(doc, 'process.working_directory', useful(d.CurrentDirectory));
      processFields(doc, 'process.parent', d, {
        image: 'ParentImage',
        cmd: 'ParentCommandLine',
        pid: 'ParentProcessId',
        guid: 'ParentProcessGuid',
      });
      pe(doc, 'process', d);
      hashes(doc, 'process', d.Hashes);
      return;
    case 2:
      categorize(doc, { category: 'file', type: 'change', action: 'file-creation-time-changed' });
      processFields(doc, 'process', d, image);
      filePath(doc, 'file', d.TargetFilename);
      return;
    case 3: {
      categorize(doc, { category: 'network', type: ['start', 'connection'], action: 'network-connection' });
      processFields(doc, 'process', d, image);
      for (const side of ['Source', 'Destination'] as const) {
        const f = side.toLowerCase();
        const ip = canonicalIp(d[`${side}Ip`]);
        put(doc, `${f}.ip`, ip);
        add(doc, 'related.ip', ip);
        put(doc, `${f}.port`, int(d[`${side}Port`]));
        put(doc, `${f}.domain`, useful(d[`${side}Hostname`]));
      }
      put(doc, 'network.transport', useful(d.Protocol)?.toLowerCase());
      put(
        doc,
        'network.direction',
        d.Initiated === 'true' ? 'egress' : d.Initiated === 'false' ? 'ingress' : undefined,
      );
      put(
        doc,
        'network.type',
        d.SourceIsIpv6 === 'true' ? 'ipv6' : d.SourceIsIpv6 === 'false' ? 'ipv4' : undefined,
      );
      return;
    }
    case 5:
      categorize(doc, { category: 'process', type: 'end', action: 'process-terminated' });
      processFields(doc, 'process', d, image);
      return;
    case 6:
      categorize(doc, { category: 'driver', type: 'start', action: 'driver-loaded' });
      filePath(doc, 'file', d.ImageLoaded);
      hashes(doc, 'file', d.Hashes);
      signature(doc, 'file', d);
      return;
    case 7:
      categorize(doc, { category: 'process', type: 'change', action: 'image-loaded' });
      add(doc, 'event.category', 'library');
      add(doc, 'event.type', 'start');
      processFields(doc, 'process', d, image);
      filePath(doc, 'dll', d.ImageLoaded);
      pe(doc, 'dll', d);
      hashes(doc, 'dll', d.Hashes);
      signature(doc, 'dll', d);
      return;
    case 8:
    case 10:
      categorize(doc, {
        category: 'process',
        type: id === 8 ? 'change' : 'access',
        action: id === 8 ? 'remote-thread-created' : 'process-accessed',
      });
      processFields(doc, 'process', d, {
        image: 'SourceImage',
        pid: 'SourceProcessId',
        guid: 'SourceProcessGuid',
      });
      return;
    case 9:
      categorize(doc, { category: 'process', type: 'access', action: 'raw-access-read' });
      processFields(doc, 'process', d, image);
      return;
    case 11:
    case 15:
    case 29:
      categorize(doc, {
        category: 'file',
        type: 'creation',
        action: id === 11 ? 'file-created' : 'file-stream-created',
      });
      processFields(doc, 'process', d, image);
      filePath(doc, 'file', d.TargetFilename);
      hashes(doc, 'file', d.Hash ?? d.Hashes);
      return;
    case 12:
    case 13:
    case 14: {
      const kind = d.EventType ?? '';
      const type = /^Delete/i.test(kind) ? 'deletion' : /^CreateKey/i.test(kind) ? 'creation' : 'change';
      categorize(doc, {
        category: ['configuration', 'registry'],
        type,
        action: kind ? `registry-${kind}` : undefined,
      });
      processFields(doc, 'process', d, image);
      registry(doc, d.TargetObject);
      if (id === 13) {
        const details = useful(d.Details);
        if (details) put(doc, 'registry.data.strings', [details]);
        const dt = /^(DWORD|QWORD|Binary Data)/i.exec(details ?? '');
        put(
          doc,
          'registry.data.type',
          dt
            ? dt[1]!.toUpperCase() === 'DWORD'
              ? 'REG_DWORD'
              : dt[1]!.toUpperCase() === 'QWORD'
                ? 'REG_QWORD'
                : 'REG_BINARY'
            : details
              ? 'REG_SZ'
              : undefined,
        );
      }
      return;
    }
    case 17:
    case 18:
      categorize(doc, {
        category: 'file',
        type: id === 17 ? 'creation' : 'access',
        action: id === 17 ? 'pipe-created' : 'pipe-connected',
      });
      processFields(doc, 'process', d, image);
      put(doc, 'file.name', useful(d.PipeName));
      return;
    case 22:
      categorize(doc, { category: 'network', type: ['protocol', 'info'], action: 'dns-query' });
      processFields(doc, 'process', d, image);
      put(doc, 'dns.question.name', useful(d.QueryName));
      put(doc, 'dns.type', 'query');
      {
        const answers = dnsAnswers(d.QueryResults);
        if (answers.length) put(doc, 'dns.answers.data', answers);
        for (const a of answers) add(doc, 'related.ip', canonicalIp(a));
      }
      put(doc, 'network.protocol', 'dns');
      return;
    case 23:
    case 26:
      categorize(doc, {
        category: 'file',
        type: 'deletion',
        action: id === 23 ? 'file-deleted' : 'file-delete-detected',
      });
      processFields(doc, 'process', d, image);
      filePath(doc, 'file', d.TargetFilename);
      hashes(doc, 'file', d.Hashes);
      return;
    default:
      // 4/16/255 status, 19–21 WMI, 24 clipboard, 25 tampering, 27/28 blocks: the process
      // and the file when the record names them.
      categorize(doc, { category: id >= 19 && id <= 21 ? 'configuration' : 'process', type: 'info' });
      processFields(doc, 'process', d, image);
      filePath(doc, 'file', d.TargetFilename);
  }
}

/** Security log: logons, process creation (4688), account management. */
function security(doc: EcsDoc, id: number, d: Record<string, string>): void {
  const src = canonicalIp(d.IpAddress);
  put(doc, 'source.ip', src);
  add(doc, 'related.ip', src);
  put(doc, 'source.port', int(d.IpPort) || undefined);
  put(doc, 'source.domain', useful(d.WorkstationName));
  const logonType = useful(d.LogonType);
  put(doc, 'winlog.logon.type', logonType);
  put(doc, 'winlog.logon.id', useful(d.TargetLogonId) ?? useful(d.SubjectLogonId));
  const target = useful(d.TargetUserName);
  const subject = useful(d.SubjectUserName);
  put(doc, 'user.name', target ?? subject);
  put(doc, 'user.domain', useful(d.TargetDomainName) ?? useful(d.SubjectDomainName));
  put(doc, 'user.id', useful(d.TargetUserSid) ?? useful(d.SubjectUserSid));
  add(doc, 'related.user', target);
  add(doc, 'related.user', subject);
  switch (id) {
    case 4624:
      categorize(doc, { category: 'authentication', type: 'start', outcome: 'success', action: 'logged-in' });
      break;
    case 4625:
      categorize(doc, {
        category: 'authentication',
        type: 'start',
        outcome: 'failure',
        action: 'logon-failed',
      });
      put(doc, 'event.reason', useful(d.FailureReason));
      break;
    case 4634:
    case 4647:
      categorize(doc, { category: 'authentication', type: 'end', outcome: 'success', action: 'logged-out' });
      break;
    case 4648:
      categorize(doc, { category: 'authentication', type: 'start', action: 'logged-in-explicit' });
      break;
    case 4672:
      categorize(doc, { category: 'iam', type: 'admin', action: 'logged-in-special' });
      break;
    case 4688:
      categorize(doc, { category: 'process', type: 'start', action: 'created-process' });
      processFields(doc, 'process', d, { image: 'NewProcessName', cmd: 'CommandLine', pid: 'NewProcessId' });
      processFields(doc, 'process.parent', d, { image: 'ParentProcessName', pid: 'ProcessId' });
      break;
    case 4689:
      categorize(doc, { category: 'process', type: 'end', action: 'exited-process' });
      processFields(doc, 'process', d, { image: 'ProcessName', pid: 'ProcessId' });
      break;
    case 4720:
    case 4722:
    case 4725:
    case 4726:
    case 4738:
      categorize(doc, {
        category: 'iam',
        type: ['user', id === 4720 ? 'creation' : id === 4726 ? 'deletion' : 'change'],
        action: {
          4720: 'added-user-account',
          4722: 'enabled-user-account',
          4725: 'disabled-user-account',
          4726: 'deleted-user-account',
          4738: 'modified-user-account',
        }[id],
      });
      break;
    case 4728:
    case 4732:
    case 4756:
      categorize(doc, { category: 'iam', type: ['group', 'change'], action: 'added-member-to-group' });
      put(doc, 'group.name', useful(d.TargetUserName));
      user(doc, 'user.target', d.MemberName);
      break;
    case 4768:
    case 4769:
    case 4771:
    case 4776:
      categorize(doc, {
        category: 'authentication',
        type: 'start',
        action: 'kerberos-or-ntlm',
        outcome: d.Status && d.Status !== '0x0' ? 'failure' : 'success',
      });
      break;
    case 1102:
      categorize(doc, { category: 'configuration', type: 'deletion', action: 'audit-log-cleared' });
      break;
    default:
      categorize(doc, { type: 'info' });
  }
}

export function winlogToEcs(r: WinRecord): EcsDoc {
  const doc: EcsDoc = {};
  const d = r.eventData;
  const id = int(r.eventId);
  const t = parseIso(r.time?.replace(' ', 'T'), 'UTC') ?? (r.time ? Date.parse(r.time) : Number.NaN);
  put(doc, '@timestamp', iso(Number.isNaN(t) ? undefined : t));
  put(doc, 'winlog.channel', r.channel);
  put(doc, 'winlog.event_id', r.eventId);
  put(doc, 'winlog.provider_name', r.provider);
  put(doc, 'winlog.provider_guid', r.providerGuid);
  put(doc, 'winlog.computer_name', r.computer);
  put(doc, 'winlog.record_id', r.recordId);
  put(doc, 'winlog.task', r.task);
  put(doc, 'winlog.opcode', r.opcode);
  put(doc, 'winlog.version', r.version);
  if (r.keywords?.length) put(doc, 'winlog.keywords', r.keywords);
  put(doc, 'winlog.process.pid', r.processId);
  put(doc, 'winlog.process.thread.id', r.threadId);
  put(doc, 'winlog.user.identifier', r.userId);
  put(doc, 'winlog.activity_id', r.activityId);
  if (Object.keys(d).length) put(doc, 'winlog.event_data', d);
  if (r.userData && Object.keys(r.userData).length) put(doc, 'winlog.user_data', r.userData);
  put(doc, 'event.code', r.eventId);
  put(doc, 'event.provider', r.provider);
  put(doc, 'event.kind', 'event');
  put(doc, 'log.level', r.level ? (LEVELS[r.level] ?? r.level.toLowerCase()) : undefined);
  put(doc, 'host.name', r.computer);
  put(doc, 'host.hostname', r.computer?.split('.')[0]);
  put(doc, 'host.os.type', 'windows');
  put(doc, 'host.os.family', 'windows');
  const channel = r.channel ?? '';
  if (channel === SYSMON && id !== undefined) {
    put(doc, 'event.module', 'sysmon');
    put(doc, 'event.dataset', 'windows.sysmon_operational');
    sysmon(doc, id, d);
  } else if (channel === 'Security' && id !== undefined) {
    put(doc, 'event.module', 'security');
    put(doc, 'event.dataset', 'windows.security');
    security(doc, id, d);
  } else {
    put(doc, 'event.module', /PowerShell/i.test(channel) ? 'powershell' : 'windows');
    put(doc, 'event.dataset', `windows.${channel.toLowerCase().replace(/[^a-z0-9]+/g, '_') || 'event'}`);
    put(doc, 'powershell.file.script_block_text', useful(d.ScriptBlockText));
    put(doc, 'powershell.file.script_block_id', useful(d.ScriptBlockId));
    // Events of other channels that name a process or file still say so in ECS.
    if (d.Image) processFields(doc, 'process', d, { image: 'Image', pid: 'ProcessId' });
    user(doc, 'user', d.User);
  }
  return doc;
}
