/**
 * docker-compose.yml against what the code actually reads: the sidecar's environment variables
 * (sidecar/src/config.ts, migrations, .env.example), the plugin's wp-config constants
 * (wp-plugin/src/Settings.php), the Dockerfile's port and command, and the wiring between services.
 * Docker itself is not needed (nor available here): this reads the files.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml, type Yaml } from './lib/mini-yaml.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(repo, path), 'utf8');

type Map = { [key: string]: Yaml };
const asMap = (v: Yaml | undefined, what: string): Map => {
  assert.ok(v !== undefined && typeof v === 'object' && !Array.isArray(v), `${what} is a map`);
  return v as Map;
};
const asList = (v: Yaml | undefined, what: string): Yaml[] => {
  assert.ok(Array.isArray(v), `${what} is a list`);
  return v;
};
const asString = (v: Yaml | undefined, what: string): string => {
  assert.equal(typeof v, 'string', `${what} is a string`);
  return v as string;
};

const compose = asMap(parseYaml(read('docker-compose.yml')), 'compose file');
const services = asMap(compose['services'], 'services');
const service = (name: string): Map => asMap(services[name], `service ${name}`);
const environment = (name: string): Map => asMap(service(name)['environment'], `${name}.environment`);

/**
 * What compose gives with only the required variables set: `${VAR:-default}` → default, and
 * `${VAR:?message}` (compose refuses to start without VAR) → `required-VAR`.
 */
const withDefaults = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{([A-Z_]+):\?[^}]*\}/g, 'required-$1');

/** The secrets compose must refuse to start without: no default, ever (issue #10). */
const REQUIRED_SECRETS = ['MYSQL_ROOT_PASSWORD', 'MYSQL_APP_PASSWORD', 'BOOKING_ENGINE_SECRET', 'WORDPRESS_READER_SECRET', 'WORDPRESS_DB_PASSWORD'];

/** Every variable the sidecar's code reads from process.env. */
function sidecarVariables(): Set<string> {
  const names = new Set<string>();
  const files = ['sidecar/src/config.ts', 'sidecar/src/start-mode.ts', ...readdirSync(join(repo, 'migrations')).filter((f) => f.endsWith('.ts')).map((f) => `migrations/${f}`)];
  for (const file of files) {
    for (const m of read(file).matchAll(/(?:process\.)?env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) names.add((m[1] ?? m[2])!);
  }
  return names;
}

/** The constants the plugin's Settings class lets wp-config.php fix. */
function pluginConstants(): string[] {
  const source = read('wp-plugin/src/Settings.php');
  const block = /CONSTANTS\s*=\s*array\(([\s\S]*?)\);/.exec(source)?.[1] ?? '';
  return [...block.matchAll(/=>\s*'([A-Z_]+)'/g)].map((m) => m[1]!);
}

describe('docker-compose.yml', () => {
  test('has the services of the stack', () => {
    assert.deepEqual(Object.keys(services).sort(), ['blocks', 'mysql', 'sidecar', 'sidecar-migrate', 'wordpress']);
    assert.match(asString(service('mysql')['image'], 'mysql.image'), /^mysql:8(\.|$)/);
    assert.match(asString(service('wordpress')['image'], 'wordpress.image'), /^wordpress:6\.([6-9]|\d\d)/, 'WordPress >= 6.6 (plugin requirement)');
  });

  test('the sidecar is built from the Dockerfile, and the Dockerfile runs the sidecar', () => {
    for (const name of ['sidecar', 'sidecar-migrate']) {
      const build = asMap(service(name)['build'], `${name}.build`);
      assert.equal(build['context'], '.');
      assert.equal(build['dockerfile'], 'Dockerfile');
    }
    const dockerfile = read('Dockerfile');
    assert.match(dockerfile, /CMD \["node", "--import", "tsx", "sidecar\/src\/main\.ts"\]/);
    assert.ok(existsSync(join(repo, 'sidecar/src/main.ts')), 'the entry point exists');
    for (const path of ['sidecar', 'migrations', 'policies']) assert.match(dockerfile, new RegExp(`COPY ${path} `), `image holds ${path}/`);
    const exposed = /EXPOSE (\d+)/.exec(dockerfile)?.[1];
    assert.equal(environment('sidecar')['PORT'], exposed, 'PORT matches EXPOSE');
  });

  test('every sidecar variable set is one the sidecar reads, and the essential ones are set', () => {
    const known = sidecarVariables();
    for (const required of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'STRIPE_WEBHOOK_SECRETS', 'SIDECAR_KEYS', 'STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'POLICY_DIR']) {
      assert.ok(known.has(required), `the sidecar reads ${required}`);
      assert.ok(required in environment('sidecar'), `compose sets ${required}`);
    }
    for (const name of ['sidecar', 'sidecar-migrate']) {
      for (const variable of Object.keys(environment(name))) assert.ok(known.has(variable), `${name}: ${variable} is read by the sidecar`);
    }
    const example = read('.env.example');
    for (const variable of Object.keys(environment('sidecar'))) assert.match(example, new RegExp(`^${variable}=`, 'm'), `.env.example documents ${variable}`);
  });

  test('ports: the sidecar publishes its PORT on 127.0.0.1 by default (listening on every interface inside its container), WordPress port 80', () => {
    const port = asString(environment('sidecar')['PORT'], 'PORT');
    assert.deepEqual(asList(service('sidecar')['ports'], 'sidecar.ports').map((p) => withDefaults(String(p))), [`127.0.0.1:${port}:${port}`]);
    assert.equal(environment('sidecar')['LISTEN_HOST'], '0.0.0.0', 'reachable through the published port');
    assert.deepEqual(asList(service('wordpress')['ports'], 'wordpress.ports').map((p) => String(p).split(':')[1]), ['80']);
  });

  test('the databases: the migration runs as root, the service as the app user the migration creates', () => {
    const migrateUrl = new URL(withDefaults(asString(environment('sidecar-migrate')['DATABASE_URL'], 'migrate DATABASE_URL')));
    const serviceUrl = new URL(withDefaults(asString(environment('sidecar')['DATABASE_URL'], 'DATABASE_URL')));
    for (const url of [migrateUrl, serviceUrl]) {
      assert.equal(url.protocol, 'mysql:');
      assert.equal(url.hostname, 'mysql', 'the host is the mysql service');
      assert.equal(url.port, '3306');
      assert.equal(url.pathname, '/mybnb');
    }
    assert.equal(migrateUrl.username, 'root');
    assert.equal(withDefaults(asString(environment('sidecar-migrate')['MYSQL_APP_USER'], 'MYSQL_APP_USER')), serviceUrl.username);
    assert.equal(withDefaults(asString(environment('sidecar-migrate')['MYSQL_APP_PASSWORD'], 'MYSQL_APP_PASSWORD')), serviceUrl.password);
    const init = asString(asMap(asMap(compose['configs'], 'configs')['mysql-init'], 'mysql-init')['content'], 'init sql');
    assert.match(init, /CREATE DATABASE IF NOT EXISTS mybnb /);
    assert.match(init, /CREATE DATABASE IF NOT EXISTS wordpress /);
    const wp = environment('wordpress');
    assert.equal(wp['WORDPRESS_DB_HOST'], 'mysql:3306');
    assert.equal(wp['WORDPRESS_DB_NAME'], 'wordpress');
    assert.match(init, new RegExp(`'${asString(wp['WORDPRESS_DB_USER'], 'db user')}'@'%' IDENTIFIED BY '\\$\\{WORDPRESS_DB_PASSWORD:\\?[^}]*\\}'`));
    assert.match(asString(wp['WORDPRESS_DB_PASSWORD'], 'WORDPRESS_DB_PASSWORD'), /^\$\{WORDPRESS_DB_PASSWORD:\?[^}]+\}$/);
  });

  test('no default secrets: compose refuses to start without each secret, and names it', () => {
    const text = read('docker-compose.yml');
    for (const secret of REQUIRED_SECRETS) {
      const uses = [...text.matchAll(new RegExp(`\\$\\{${secret}([^}]*)\\}`, 'g'))].map((m) => m[1]!);
      assert.ok(uses.length > 0, `${secret} is used`);
      for (const rest of uses) assert.match(rest, new RegExp(`^:\\?.*${secret}`), `every \${${secret}} is \${${secret}:?message naming it}, never a default`);
      assert.ok(!new RegExp(`\\$${secret}\\b`).test(text.replace(/\$\$/g, '')), `${secret} is never read bare (which would be empty, not refused)`);
    }
    assert.doesNotMatch(text, /dev-only|change-me/, 'no development passwords left');
    for (const m of text.matchAll(/\$\{([A-Z_]*(?:SECRET|PASSWORD)[A-Z_]*):-([^}]*)\}/g)) assert.equal(m[2], '', `${m[1]} has no default value`);
    // The SQL and the health check may read the container's own variable ($$VAR), which compose leaves alone.
    assert.match(JSON.stringify(asMap(service('mysql')['healthcheck'], 'mysql.healthcheck')['test']), /\$\$MYSQL_ROOT_PASSWORD/);
  });

  test('WordPress gets exactly the plugin\'s constants, pointing at the sidecar with a reader key', () => {
    const constants = pluginConstants();
    assert.deepEqual(constants.sort(), ['MYBNB_KEY_ID', 'MYBNB_SECRET', 'MYBNB_SIDECAR_URL']);
    const wp = environment('wordpress');
    const extra = asString(wp['WORDPRESS_CONFIG_EXTRA'], 'WORDPRESS_CONFIG_EXTRA');
    const defined = [...extra.matchAll(/define\(\s*'([A-Z_]+)',\s*getenv_docker\(\s*'([A-Z_]+)'/g)].map((m) => [m[1]!, m[2]!] as const);
    assert.deepEqual(defined.map(([c]) => c).sort(), [...constants].sort(), 'wp-config.php defines each constant');
    for (const [constant, variable] of defined) {
      assert.equal(constant, variable);
      assert.ok(variable in wp, `wordpress.environment sets ${variable}`);
    }
    const url = new URL(asString(wp['MYBNB_SIDECAR_URL'], 'MYBNB_SIDECAR_URL'));
    assert.equal(url.hostname, 'sidecar');
    assert.equal(url.port, environment('sidecar')['PORT']);
    const keys = withDefaults(asString(environment('sidecar')['SIDECAR_KEYS'], 'SIDECAR_KEYS')).split(',').map((k) => k.split(':'));
    const reader = keys.find(([id]) => id === wp['MYBNB_KEY_ID']);
    assert.ok(reader, 'the key id WordPress uses is configured in the sidecar');
    assert.equal(reader[2], 'reader', 'WordPress holds a reader key, never a booking-engine key');
    assert.equal(reader[1], withDefaults(asString(wp['MYBNB_SECRET'], 'MYBNB_SECRET')), 'same secret on both sides');
  });

  test('the plugin is mounted where WordPress loads plugins, with its blocks built first', () => {
    const volumes = asList(service('wordpress')['volumes'], 'wordpress.volumes').map(String);
    assert.ok(volumes.includes('./wp-plugin:/var/www/html/wp-content/plugins/mybnb-payments:ro'));
    assert.ok(existsSync(join(repo, 'wp-plugin/mybnb-payments.php')));
    const blocks = service('blocks');
    assert.match(asList(blocks['command'], 'blocks.command').join(' '), /npm ci .*&& npm run build/);
    assert.match(read('blocks/package.json'), /--output-path=\.\.\/wp-plugin\/build/);
    const dependsOn = asMap(service('wordpress')['depends_on'], 'wordpress.depends_on');
    assert.deepEqual(asMap(dependsOn['blocks'], 'blocks dep'), { condition: 'service_completed_successfully' });
    assert.deepEqual(asMap(dependsOn['sidecar'], 'sidecar dep'), { condition: 'service_healthy' });
    assert.deepEqual(asMap(asMap(service('sidecar')['depends_on'], 'sidecar.depends_on')['sidecar-migrate'], 'migrate dep'), { condition: 'service_completed_successfully' });
    assert.match(read('Dockerfile'), /HEALTHCHECK .*\n?.*\/readyz/, 'service_healthy needs a health check');
  });
});

describe('mini-yaml', () => {
  test('refuses syntax it does not understand instead of misreading it', () => {
    assert.throws(() => parseYaml('a: &anchor 1\nb: *anchor\n'), /unsupported/);
    assert.throws(() => parseYaml('a: 1\na: 2\n'), /duplicate key/);
    assert.throws(() => parseYaml('a:\n\t- x\n'), /tab/);
  });

  test('reads maps, lists, flow lists, quoted strings and block scalars', () => {
    assert.deepEqual(parseYaml('a:\n  b: "x: y" # c\n  c: [1, "two"]\n  d:\n    - e: f\n      g: h\n    - i\n  j: |\n    line 1\n    line 2\nk: {}\n'), {
      a: { b: 'x: y', c: ['1', 'two'], d: [{ e: 'f', g: 'h' }, 'i'], j: 'line 1\nline 2\n' },
      k: {},
    });
  });
});
