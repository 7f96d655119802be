import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc admin create --email EMAIL [--name NAME] [--password-stdin]

  create   create the first administrator (role admin, every organisation) in the API's users index

  --email EMAIL       the login
  --name NAME         display name (default: the email)
  --password-stdin    read the password from standard input (first line); otherwise
                      SOC_ADMIN_PASSWORD is used. At least 12 characters.

Environment: ELASTICSEARCH_URL (or SOC_ELASTICSEARCH__*) and SOC_API__INDEX_PREFIX as for the API.
Exit codes: 0 created, 1 failure (the email exists, Elasticsearch unreachable), 2 usage error.`;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export const adminCommand: Command = {
  name: 'admin',
  summary: 'administer the API: create the first admin user',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        email: { type: 'string' },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    if (positionals[0] !== 'create' || positionals.length > 1)
      throw new UsageError(
        positionals[0] ? `unknown admin command: ${positionals.join(' ')}` : 'missing admin command',
        usage,
      );
    if (!values.email) throw new UsageError('--email is required', usage);
    const password = values['password-stdin']
      ? await readStdinLine()
      : (process.env.SOC_ADMIN_PASSWORD ?? '');
    if (password.length < 12)
      throw new UsageError(
        'a password of at least 12 characters is required (--password-stdin or SOC_ADMIN_PASSWORD)',
        usage,
      );
    const email = values.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError('--email is not an email address', usage);
    // Loaded on demand: other commands should not carry the API's imports.
    const { apiServiceSchema, createUser, ensureIndices } = await import('@soc/api');
    const { createElasticsearchClient, loadConfig, socIndices } = await import('@soc/core');
    const { config } = loadConfig(apiServiceSchema);
    const es = createElasticsearchClient(config.elasticsearch);
    try {
      const indices = socIndices(config.api.indexPrefix);
      await ensureIndices(es, indices);
      const user = await createUser(
        es,
        indices.users,
        {
          email,
          name: values.name ?? email,
          password,
          roles: ['admin'],
          organizations: [],
          all_organizations: true,
        },
        new Date(),
      );
      if (!user) {
        console.error(`soc admin: a user ${email} exists already`);
        return EXIT.failure;
      }
      console.log(`created admin ${user.id}`);
      return EXIT.ok;
    } finally {
      await es.close();
    }
  },
};
