/**
 * Realistic Windows/Sysmon traffic for benchmarks and tests, made from the SigmaHQ
 * regression samples (true positives, EVTX-rendered JSON): most events of a real network are
 * benign, so most variants keep a sample's shape (channel, event id, field set) but get the
 * process, file, registry and network values of everyday Windows activity; some keep the
 * malicious values with a small change (near misses); a few stay as they are. Host, process
 * ids, GUIDs, record ids and times always vary. Deterministic for a given index.
 */

const IMAGES = [
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
  'C:\\Windows\\explorer.exe',
  'C:\\Windows\\System32\\RuntimeBroker.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  'C:\\Windows\\System32\\taskhostw.exe',
  'C:\\Windows\\System32\\SearchIndexer.exe',
  'C:\\Program Files\\Windows Defender\\MsMpEng.exe',
  'C:\\Windows\\System32\\backgroundTaskHost.exe',
  'C:\\Users\\nguyenvana\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe',
  'C:\\Program Files\\7-Zip\\7zFM.exe',
  'C:\\Windows\\System32\\conhost.exe',
  'C:\\Windows\\System32\\dllhost.exe',
  'C:\\Program Files\\Notepad++\\notepad++.exe',
  'C:\\Windows\\System32\\spoolsv.exe',
];
const COMMAND_LINES = [
  'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
  '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=vi --device-scale-factor=1 --num-raster-threads=2 --enable-main-frame-before-activation /prefetch:1',
  '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" /recycle',
  'C:\\Windows\\Explorer.EXE',
  'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding',
  '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --single-argument https://dichvucong.gov.vn/',
  'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}',
  'C:\\Windows\\system32\\SearchIndexer.exe /Embedding',
  '"C:\\Program Files\\Notepad++\\notepad++.exe" "D:\\Bao cao\\bao-cao-thang-11.txt"',
  'C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1',
  'C:\\Windows\\system32\\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}',
  '"C:\\Users\\nguyenvana\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" --type=gpu-process --field-trial-handle=2032,12745068117440931127',
];
const FILES = [
  'C:\\Users\\nguyenvana\\AppData\\Local\\Temp\\~DF3A1B.tmp',
  'C:\\Users\\nguyenvana\\Documents\\Cong van 1234-UBND.docx',
  'C:\\Windows\\Prefetch\\CHROME.EXE-2A1B3C4D.pf',
  'C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Service\\DetectionHistory\\02\\x.bin',
  'C:\\Users\\nguyenvana\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\f_00a1b2',
  'D:\\Bao cao\\bao-cao-quy-4.xlsx',
];
const REGISTRY = [
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FileExts\\.docx\\OpenWithList',
  'HKU\\S-1-5-21-1004336348-1177238915-682003330-1001\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming',
  'HKLM\\SYSTEM\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-18',
  'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated',
];
const HOSTS = ['ws-ubnd-01', 'ws-sotttt-12', 'srv-dvc-web01', 'ws-khobac-07', 'srv-ad-01', 'ws-soyte-33'];

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: () => number, n: number) =>
  Array.from({ length: n }, () => '0123456789ABCDEF'[Math.floor(r() * 16)]).join('');

/** Which values a benign variant replaces, by field name. */
const BENIGN: Record<string, (r: () => number) => string> = {
  Image: (r) => pick(r, IMAGES),
  ParentImage: (r) => pick(r, IMAGES),
  SourceImage: (r) => pick(r, IMAGES),
  TargetImage: (r) => pick(r, IMAGES),
  CommandLine: (r) => variedCommandLine(r),
  ParentCommandLine: (r) => variedCommandLine(r),
  OriginalFileName: (r) => (pick(r, IMAGES).split('\\').pop() ?? '').toUpperCase(),
  TargetFilename: (r) => (r() < 0.5 ? pick(r, FILES) : `${pick(r, FILES)}.${hex(r, 6)}.tmp`),
  ImageLoaded: () => 'C:\\Windows\\System32\\kernel32.dll',
  TargetObject: (r) => pick(r, REGISTRY),
  Details: () => 'DWORD (0x00000001)',
  Hashes: (r) => `SHA1=${hex(r, 40)},MD5=${hex(r, 32)},SHA256=${hex(r, 64)},IMPHASH=${hex(r, 32)}`,
  QueryName: () => 'dichvucong.gov.vn',
  DestinationHostname: () => 'update.microsoft.com',
  PipeName: (r) => `\\mojo.${Math.floor(r() * 1e6)}.${Math.floor(r() * 1e6)}`,
};

/**
 * Real command lines repeat less than images do: half get per-run arguments (a process id,
 * a temporary file, a GUID), so a value seen before is the exception there, not the rule.
 */
function variedCommandLine(r: () => number): string {
  const base = pick(r, COMMAND_LINES);
  const k = r();
  if (k < 0.5) return base;
  if (k < 0.7) return `${base} --pid=${Math.floor(r() * 65536)}`;
  if (k < 0.85) return `${base} "C:\\Users\\nguyenvana\\AppData\\Local\\Temp\\${hex(r, 8)}.tmp"`;
  return `${base} /guid:{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`;
}

/** Changes one character of a string: a near miss of a malicious value. */
function nearMiss(r: () => number, s: string): string {
  if (s.length < 2) return s;
  const i = Math.floor(r() * s.length);
  return s.slice(0, i) + (s[i] === 'x' ? 'y' : 'x') + s.slice(i + 1);
}

type Json = Record<string, unknown>;

/**
 * Variant `index` of a sample. Mix: 85 % benign values, 10 % near misses, 5 % unchanged
 * malicious values; every variant gets fresh identifiers and times.
 */
export function mutateEvent(sample: unknown, index: number): unknown {
  const r = random(index * 2654435761);
  const event = structuredClone(sample) as { Event?: { System?: Json; EventData?: Json } };
  const system = event.Event?.System;
  const data = event.Event?.EventData;
  if (system) {
    system.Computer = pick(r, HOSTS);
    system.EventRecordID = index;
    const t = new Date(Date.UTC(2026, 10, 25) + index * 37).toISOString();
    const created = system.TimeCreated as { '#attributes'?: Json } | undefined;
    if (created?.['#attributes']) created['#attributes'].SystemTime = t;
  }
  if (data) {
    const kind = r();
    for (const [k, v] of Object.entries(data)) {
      if (k === 'ProcessId' || k === 'ParentProcessId') data[k] = 1000 + Math.floor(r() * 30000);
      else if (k.endsWith('ProcessGuid'))
        data[k] = `{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`;
      else if (typeof v !== 'string') continue;
      else if (kind < 0.85 && BENIGN[k]) data[k] = BENIGN[k](r);
      else if (kind < 0.95 && BENIGN[k]) data[k] = nearMiss(r, v);
    }
  }
  return event;
}
