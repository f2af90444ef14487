// jsforce's sign-in flows against the emulator: SOAP login, OAuth 2.0 username-password
// and client credentials, a given access token, session refresh, and logout.

const assert = require('node:assert/strict');
const { before, test } = require('node:test');

const { API_VERSION, jsforce, loadCredentials, soapLogin } = require('./support');

let credentials;

before(() => {
  credentials = loadCredentials();
});

function oauthConnection() {
  return new jsforce.Connection({
    oauth2: {
      loginUrl: credentials.login_url,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
    },
    version: API_VERSION,
  });
}

test('SOAP login establishes a session', async () => {
  const connection = await soapLogin(credentials);

  assert.equal(connection.instanceUrl, credentials.instance_url);
  assert.match(connection.userInfo.id, /^005/);
  assert.match(connection.userInfo.organizationId, /^00D/);
  const result = await connection.query(`SELECT Username FROM User WHERE Id = '${connection.userInfo.id}'`);
  assert.equal(result.records[0].Username, credentials.username);
});

test('SOAP login rejects a wrong password', async () => {
  const connection = new jsforce.Connection({ loginUrl: credentials.login_url, version: API_VERSION });

  await assert.rejects(connection.login(credentials.username, 'wrong-password'), /INVALID_LOGIN/);
});

test('OAuth username-password login', async () => {
  const connection = oauthConnection();

  const userInfo = await connection.login(credentials.username, credentials.password + credentials.security_token);

  assert.equal(connection.instanceUrl, credentials.instance_url);
  assert.match(userInfo.id, /^005/);
  assert.match(userInfo.organizationId, /^00D/);
  const limits = await connection.limits();
  assert.ok(limits.DailyApiRequests.Max > 0);
});

test('OAuth username-password login rejects a wrong password', async () => {
  const connection = oauthConnection();

  await assert.rejects(connection.login(credentials.username, 'wrong-password'), (error) => {
    assert.equal(error.name, 'invalid_grant');
    return true;
  });
});

test('OAuth client credentials grant', async () => {
  const connection = oauthConnection();

  const userInfo = await connection.authorize({ grant_type: 'client_credentials' });

  assert.match(userInfo.id, /^005/);
  assert.equal(connection.instanceUrl, credentials.instance_url);
  const identity = await connection.identity();
  assert.equal(identity.username, credentials.username);
});

test('given access token and instance URL', async () => {
  const source = oauthConnection();
  await source.authorize({ grant_type: 'client_credentials' });

  const connection = new jsforce.Connection({
    instanceUrl: source.instanceUrl,
    accessToken: source.accessToken,
    version: API_VERSION,
  });
  const result = await connection.query('SELECT Id FROM Organization');

  assert.equal(result.totalSize, 1);
});

test('identity URL from the version resource list', async () => {
  const source = oauthConnection();
  await source.authorize({ grant_type: 'client_credentials' });
  const connection = new jsforce.Connection({
    instanceUrl: source.instanceUrl,
    accessToken: source.accessToken,
    version: API_VERSION,
  });

  // Without userInfo, jsforce reads the identity URL from GET /services/data/vXX.X/.
  const identity = await connection.identity();

  assert.equal(identity.username, credentials.username);
  assert.match(identity.organization_id, /^00D/);
});

test('expired session is refreshed by logging in again', async () => {
  const connection = await soapLogin(credentials);
  const firstToken = connection.accessToken;

  await connection.request({
    method: 'POST',
    url: `${credentials.instance_url}/_emulator/faults`,
    body: JSON.stringify({ expireSessions: true }),
    headers: { 'content-type': 'application/json' },
  });
  const result = await connection.query('SELECT Id FROM Organization');

  assert.equal(result.totalSize, 1);
  assert.notEqual(connection.accessToken, firstToken);
});

test('OAuth logout revokes the access token', async () => {
  const connection = oauthConnection();
  await connection.login(credentials.username, credentials.password + credentials.security_token);
  const stale = new jsforce.Connection({
    instanceUrl: connection.instanceUrl,
    accessToken: connection.accessToken,
    version: API_VERSION,
  });

  await connection.logout();

  await assert.rejects(stale.query('SELECT Id FROM Organization'), (error) => {
    assert.equal(error.errorCode, 'INVALID_SESSION_ID');
    return true;
  });
});

test('SOAP logout ends the session', async () => {
  const connection = await soapLogin(credentials);
  const stale = new jsforce.Connection({
    instanceUrl: connection.instanceUrl,
    accessToken: connection.accessToken,
    version: API_VERSION,
  });

  await connection.logout();

  await assert.rejects(stale.query('SELECT Id FROM Organization'), (error) => {
    assert.equal(error.errorCode, 'INVALID_SESSION_ID');
    return true;
  });
});
